using Prometheus;
using SloMonitor.Auth;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Api;

/// <summary>
/// <c>/metrics</c> in Prometheus' text format: the service's own metrics, then the SLO series and notification outcomes
/// of the caller's tenant only (the default tenant's when the endpoint is open and asked without a token).
/// </summary>
internal static class MetricsApi
{
    public static IEndpointConventionBuilder MapMetricsApi(this IEndpointRouteBuilder app) =>
        app.Map("/metrics", async (HttpContext context, SloMetrics slos, SloMonitor.Alerting.Delivery.AlertingMetrics alerting) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
            await slos.RegistryOf(Principal.TenantOf(context)).CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
            await alerting.RegistryOf(Principal.TenantOf(context)).CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
}
