using System.Reflection;
using System.Runtime.InteropServices;
using SloMonitor.Alerting.Views;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// Alertmanager's API v2 for the instance itself: <c>GET /api/v2/status</c> (cluster status, version, start time and
/// the routing file rendered as an Alertmanager configuration, which <c>amtool config show</c> prints and
/// <c>amtool config routes</c> draws) and <c>GET /api/v2/receivers</c>. Instances share PostgreSQL, not a gossip
/// cluster, so the cluster status is <c>disabled</c>, as for an Alertmanager started without clustering. Both show the
/// caller's tenant's routing: its own section of the routing file, or the top level when it has none.
/// </summary>
public static class AlertmanagerStatusApi
{
    public static IEndpointRouteBuilder MapAlertmanagerStatusApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var startedAt = AlertmanagerJson.Time(app.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow());
        var version = VersionInfo();
        var read = app.MapGroup("/api/v2").RequireScope(Scopes.Read);
        read.MapGet("/status", (HttpContext context, AlertmanagerView view) => Results.Ok(new
        {
            cluster = new { status = "disabled", peers = Array.Empty<object>() },
            versionInfo = version,
            config = new { original = view.ConfigYamlOf(Principal.TenantOf(context)) },
            uptime = startedAt,
        }));
        read.MapGet("/receivers", (HttpContext context, AlertmanagerView view) =>
            Results.Ok(view.ReceiverNamesOf(Principal.TenantOf(context)).Select(name => new { name })));
        return app;
    }

    /// <summary>SloMonitor's own version; the commit comes from the informational version's <c>+revision</c>.</summary>
    private static object VersionInfo()
    {
        var assembly = typeof(AlertmanagerStatusApi).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var parts = informational.Split('+', 2);
        return new
        {
            version = parts[0],
            revision = parts.Length > 1 ? parts[1] : string.Empty,
            branch = string.Empty,
            buildUser = string.Empty,
            buildDate = string.Empty,
            goVersion = RuntimeInformation.FrameworkDescription,
        };
    }
}
