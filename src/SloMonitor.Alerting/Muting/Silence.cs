using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>A silence: alerts matching every matcher send nothing from <see cref="StartsAt"/> until <see cref="EndsAt"/>.</summary>
public sealed record Silence(
    Guid Id,
    IReadOnlyList<Matcher> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>pending, active or expired (Alertmanager's silence states).</summary>
    public string StateAt(DateTimeOffset now) => now < StartsAt ? "pending" : now < EndsAt ? "active" : "expired";

    public bool Mutes(IReadOnlyDictionary<string, string> labels, DateTimeOffset now) =>
        now >= StartsAt && now < EndsAt && Matcher.MatchesAll(Matchers, labels);
}
