namespace SloMonitor.Slos.Selectors;

/// <summary>
/// A parsed selector: an optional metric name and the matchers that must all hold. Span selectors
/// (<c>span.kind="server", http.route=~"/api/.*"</c>) have no metric name.
/// </summary>
public sealed class Selector(string? metricName, IReadOnlyList<LabelMatcher> matchers)
{
    public static Selector Everything { get; } = new(null, []);

    public string? MetricName { get; } = metricName;

    public LabelMatcher[] Matchers { get; } = [.. matchers];

    public override string ToString() =>
        (MetricName ?? "") + (Matchers.Length == 0 && MetricName is not null ? "" : "{" + string.Join(", ", (object[])Matchers) + "}");
}
