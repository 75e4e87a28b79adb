namespace SloMonitor.Alerting.Alerts;

/// <summary>An alert after validation, with its fingerprint. Immutable; a newer report replaces it.</summary>
internal sealed record Alert(
    string Fingerprint,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorUrl)
{
    /// <summary>The tenant the alert belongs to; its fingerprint depends on it (<see cref="Alerts.Fingerprint.Of(string, IReadOnlyDictionary{string, string})"/>).</summary>
    public string Tenant { get; init; } = Storage.Tenants.Default;

    /// <summary>When the alert was last received (Alertmanager's <c>updatedAt</c>).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    public bool IsResolvedAt(DateTimeOffset now) => EndsAt is { } endsAt && endsAt <= now;

    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;

    public string? Annotation(string name) => Annotations.TryGetValue(name, out var value) ? value : null;

    /// <summary>Severities that open an incident.</summary>
    public bool OpensIncident => Label("severity") is "page" or "ticket";
}
