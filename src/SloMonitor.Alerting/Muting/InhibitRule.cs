using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>
/// A firing alert matching <see cref="SourceMatchers"/> mutes every other alert matching
/// <see cref="TargetMatchers"/> whose <see cref="Equal"/> labels have the same values.
/// </summary>
internal sealed record InhibitRule(IReadOnlyList<Matcher> SourceMatchers, IReadOnlyList<Matcher> TargetMatchers, IReadOnlyList<string> Equal)
{
    /// <summary>The default: a page inhibits the ticket of the same SLO.</summary>
    public static InhibitRule PageInhibitsTicket { get; } = new(
        [new Matcher("severity", MatchOperator.Equal, "page")],
        [new Matcher("severity", MatchOperator.Equal, "ticket")],
        ["slo"]);

    public override string ToString() =>
        $"[{string.Join(", ", SourceMatchers)}] inhibits [{string.Join(", ", TargetMatchers)}] on equal [{string.Join(", ", Equal)}]";
}
