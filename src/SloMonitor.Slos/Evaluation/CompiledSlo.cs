using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Evaluation;

/// <summary>A burn-rate rule with its threshold rescaled to the SLO's period.</summary>
internal sealed record EffectiveRule(BurnRateRule Rule, double Threshold, string LongName, string ShortName);

/// <summary>
/// An SLO ready to evaluate: selectors compiled once, rule thresholds rescaled, the windows to read, and the
/// tracks holding its data (kept across reloads while the SLI itself does not change).
/// </summary>
internal sealed class CompiledSlo
{
    /// <summary>The windows every status reports, besides the SLO window itself.</summary>
    public static readonly TimeSpan[] StandardWindows =
    [
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3),
    ];

    public CompiledSlo(SloDefinition definition, TrackSet tracks)
    {
        Definition = definition;
        Tracks = tracks;
        var sli = definition.Sli;
        Match = Parse(sli.Match, false)?.Matchers ?? [];
        if (sli.Kind == SliKind.Availability)
        {
            SpanBad = Parse(sli.Bad, false)?.Matchers;
        }
        else if (sli.Kind == SliKind.Ratio)
        {
            Total = Parse(sli.Total, true);
            Good = Parse(sli.Good, true);
            MetricBad = Parse(sli.Bad, true);
        }
        else
        {
            Metric = Parse(sli.Metric, true);
        }

        Period = definition.Window.Rolling;
        var windows = new List<TimeSpan>(StandardWindows);
        var rules = new List<EffectiveRule>();
        foreach (var rule in definition.Alerting.Rules)
        {
            rules.Add(new EffectiveRule(rule, rule.ThresholdFor(Period), DurationText.Format(rule.LongWindow), DurationText.Format(rule.ShortWindow)));
            AddWindow(windows, rule.LongWindow);
            AddWindow(windows, rule.ShortWindow);
        }

        windows.Sort();
        Windows = [.. windows];
        WindowNames = Array.ConvertAll(Windows, DurationText.Format);
        Rules = [.. rules];
        MinEvents = definition.Alerting.MinEventsFor(sli);
    }

    public SloDefinition Definition { get; }

    public TrackSet Tracks { get; }

    public LabelMatcher[] Match { get; }

    public LabelMatcher[]? SpanBad { get; }

    public Selector? Total { get; }

    public Selector? Good { get; }

    public Selector? MetricBad { get; }

    public Selector? Metric { get; }

    /// <summary>The SLO period the thresholds and budget refer to (30 days for a calendar month).</summary>
    public TimeSpan Period { get; }

    public TimeSpan[] Windows { get; }

    public string[] WindowNames { get; }

    public EffectiveRule[] Rules { get; }

    public int MinEvents { get; }

    /// <summary>What decides whether data can be kept on reload: the SLI, the grouping and the retention.</summary>
    public static string Fingerprint(SloDefinition definition) =>
        string.Join('\u001f', definition.Sli.ToString(), string.Join(',', definition.GroupBy), definition.Window.Longest.Ticks, definition.MaxGroups);

    private static void AddWindow(List<TimeSpan> windows, TimeSpan window)
    {
        if (!windows.Contains(window))
        {
            windows.Add(window);
        }
    }

    private static Selector? Parse(string? text, bool metric) =>
        text is null ? null : SelectorParser.TryParse(text, metric, out var error) ?? throw new InvalidOperationException($"selector '{text}' was validated but does not parse: {error}");
}
