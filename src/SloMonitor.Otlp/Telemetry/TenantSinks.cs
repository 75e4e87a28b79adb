using Microsoft.AspNetCore.Http;

namespace SloMonitor.Otlp;

/// <summary>
/// The sink of each tenant: an export request's spans and points go to the sink of the tenant its token belongs to
/// (the principal's <c>tenant</c> claim, the <c>default</c> tenant without one), so that one tenant's telemetry never
/// feeds another's SLOs. The tenant is read once per request, not per item.
/// </summary>
public sealed class TenantSinks(Func<string, ITelemetrySink> sinkOf, IHttpContextAccessor requests)
{
    /// <summary>The claim naming the principal's tenant (the same as the host's).</summary>
    public const string ClaimType = "tenant";

    /// <summary>The tenant of a request without a tenant claim.</summary>
    public const string DefaultTenant = "default";

    /// <summary>The tenant of the request being handled on this call path.</summary>
    public string CurrentTenant() =>
        requests.HttpContext?.User.FindFirst(ClaimType)?.Value is { Length: > 0 } tenant ? tenant : DefaultTenant;

    public ITelemetrySink For(string tenant) => sinkOf(tenant);
}
