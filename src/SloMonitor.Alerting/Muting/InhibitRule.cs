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

    public bool SameEqualLabels(IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> target)
    {
        foreach (var name in Equal)
        {
            var a = source.TryGetValue(name, out var x) ? x : string.Empty;
            var b = target.TryGetValue(name, out var y) ? y : string.Empty;
            if (a != b)
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() =>
        $"[{string.Join(", ", SourceMatchers)}] inhibits [{string.Join(", ", TargetMatchers)}] on equal [{string.Join(", ", Equal)}]";
}
