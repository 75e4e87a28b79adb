using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>
/// A silence of <see cref="Tenant"/>: alerts of that tenant matching every matcher send nothing from
/// <see cref="StartsAt"/> until <see cref="EndsAt"/>.
/// </summary>
public sealed record Silence(
    Guid Id,
    IReadOnlyList<Matcher> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Tenant = Storage.Tenants.Default)
{
    /// <summary>pending, active or expired (Alertmanager's silence states).</summary>
    public string StateAt(DateTimeOffset now) => now < StartsAt ? "pending" : now < EndsAt ? "active" : "expired";

    public bool Mutes(IReadOnlyDictionary<string, string> labels, DateTimeOffset now) =>
        now >= StartsAt && now < EndsAt && Matcher.MatchesAll(Matchers, labels);

    /// <summary>Whether this silence mutes <paramref name="alert"/> now: only an alert of its own tenant.</summary>
    internal bool Mutes(Alerts.Alert alert, DateTimeOffset now) => alert.Tenant == Tenant && Mutes(alert.Labels, now);
}
