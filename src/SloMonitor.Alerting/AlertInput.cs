namespace SloMonitor.Alerting;

/// <summary>
/// One alert as a source reports it: SLO evaluation or an external sender through <c>POST /api/v2/alerts</c>.
/// It belongs to <see cref="Tenant"/>. <see cref="EndsAt"/> null means "firing until told otherwise"; a time in the past means resolved.
/// </summary>
public sealed record AlertInput(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorUrl,
    string Tenant = Storage.Tenants.Default);
