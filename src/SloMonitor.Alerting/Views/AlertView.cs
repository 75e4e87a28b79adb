namespace SloMonitor.Alerting.Views;

/// <summary>
/// One alert as Alertmanager's API shows it. <see cref="State"/> is <c>active</c>, or <c>suppressed</c> while a
/// silence, an inhibiting alert or a maintenance window mutes it. <see cref="EndsAt"/> is null for an alert that
/// fires until its source resolves it (SLO alerts).
/// </summary>
public sealed record AlertView(
    string Fingerprint,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset UpdatedAt,
    string? GeneratorUrl,
    IReadOnlyList<string> Receivers,
    string State,
    IReadOnlyList<string> SilencedBy,
    IReadOnlyList<string> InhibitedBy,
    IReadOnlyList<string> MutedBy);

/// <summary>The alerts one route sends to its receiver under one set of group labels.</summary>
public sealed record AlertGroupView(IReadOnlyDictionary<string, string> Labels, string Receiver, IReadOnlyList<AlertView> Alerts);
