using System.Text.RegularExpressions;
using SloMonitor.Alerting.Views;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// Alertmanager's API v2 for reading alerts, so <c>amtool alert query</c>, Grafana and karma list what is firing:
/// <c>GET /api/v2/alerts</c> and <c>GET /api/v2/alerts/groups</c>, with <c>filter</c> (repeated matchers),
/// <c>active</c>, <c>silenced</c>, <c>inhibited</c>, <c>unprocessed</c> and <c>receiver</c> (a regular expression).
/// Every alert of the caller's tenant is there, SLO alerts and alerts posted to <c>POST /api/v2/alerts</c> alike,
/// grouped and routed by that tenant's routing.
/// </summary>
public static class AlertmanagerAlertsApi
{
    public static IEndpointRouteBuilder MapAlertmanagerAlertsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var read = app.MapGroup("/api/v2/alerts").RequireScope(Scopes.Read);
        read.MapGet("", ListAsync);
        read.MapGet("/groups", GroupsAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, AlertmanagerView view, CancellationToken cancellationToken)
    {
        if (!TryFilter(request, out var filter, out var error))
        {
            return error!;
        }

        var alerts = await view.ListAlertsAsync(Principal.TenantOf(request.HttpContext), filter!, cancellationToken);
        return Results.Ok(alerts.Select(AlertmanagerJson.Alert));
    }

    private static async Task<IResult> GroupsAsync(HttpRequest request, AlertmanagerView view, CancellationToken cancellationToken)
    {
        if (!TryFilter(request, out var filter, out var error))
        {
            return error!;
        }

        var groups = await view.ListGroupsAsync(Principal.TenantOf(request.HttpContext), filter!, cancellationToken);
        return Results.Ok(groups.Select(g => new AlertmanagerJson.AlertGroupJson(
            g.Labels, new AlertmanagerJson.ReceiverJson(g.Receiver), g.Alerts.Select(AlertmanagerJson.Alert).ToList())));
    }

    private static bool TryFilter(HttpRequest request, out AlertFilter? filter, out IResult? error)
    {
        filter = null;
        if (!AlertmanagerJson.TryFilter(request.Query["filter"], out var matchers, out error)
            || !AlertmanagerJson.TryFlag(request, "active", true, out var active, out error)
            || !AlertmanagerJson.TryFlag(request, "silenced", true, out var silenced, out error)
            || !AlertmanagerJson.TryFlag(request, "inhibited", true, out var inhibited, out error)
            || !AlertmanagerJson.TryFlag(request, "unprocessed", true, out var unprocessed, out error))
        {
            return false;
        }

        Regex? receiver = null;
        if (request.Query["receiver"].ToString() is { Length: > 0 } pattern)
        {
            try
            {
                receiver = new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                error = AlertmanagerJson.BadRequest($"receiver: failed to parse receiver param: {ex.Message}");
                return false;
            }
        }

        filter = new AlertFilter(matchers, active, silenced, inhibited, unprocessed, receiver);
        return true;
    }
}
