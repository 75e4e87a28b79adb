using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Recording;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Evaluation;

/// <summary>A burn-rate rule as it runs for the SLO's period: windows (scaled for the default policy) and threshold.</summary>
internal sealed record EffectiveRule(BurnRateRule Rule, double Threshold, string LongName, string ShortName)
{
    /// <summary>Where the long and the short window are in the SLO's <see cref="CompiledSlo.Windows"/>.</summary>
    public (int Long, int Short) WindowIndex { get; init; }
}

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

    /// <summary>Compiles <paramref name="definition"/>; its data goes to <paramref name="tracks"/>, or to new tracks when null.</summary>
    public CompiledSlo(SloDefinition definition, TrackSet? tracks, SloEngineOptions options, TimeProvider time, Func<string, CompiledSlo?>? find = null)
    {
        Definition = definition;
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

        Period = definition.Window.Period;
        var windows = new List<TimeSpan>(StandardWindows);
        var rules = new List<EffectiveRule>();
        foreach (var rule in definition.Alerting.EffectiveRules(Period))
        {
            rules.Add(new EffectiveRule(rule, rule.BurnRate!.Value, DurationText.Format(rule.LongWindow), DurationText.Format(rule.ShortWindow)));
            AddWindow(windows, rule.LongWindow);
            AddWindow(windows, rule.ShortWindow);
        }

        foreach (var alert in definition.Alerting.BudgetExhaustion)
        {
            AddWindow(windows, alert.Window);
        }

        windows.Sort();
        Windows = [.. windows];
        WindowNames = Array.ConvertAll(Windows, DurationText.Format);
        (StatusNames, SloWindowSlots) = Slots(WindowNames, definition.Windows);
        BudgetNames = [.. definition.Windows.Select(w => w.Text)];
        AlertingWindow = definition.Windows.ToList().IndexOf(definition.Window);
        Rules = [.. rules.Select(r => r with { WindowIndex = (Array.IndexOf(Windows, r.Rule.LongWindow), Array.IndexOf(Windows, r.Rule.ShortWindow)) })];
        HourWindow = Array.IndexOf(Windows, TimeSpan.FromHours(1));
        MinEvents = definition.Alerting.MinEventsFor(sli);
        Tracks = tracks ?? new TrackSet(definition, definition.MaxGroups ?? options.MaxGroupsPerSlo, Retention(definition, options), options.HistogramScale, time);
        if (options.Attribution.Enabled && sli.Kind is not (SliKind.Composite or SliKind.Gauge))
        {
            var keys = Attribution.SloAttribution.KeysFor(definition, options.Attribution);
            if (Tracks.Attribution is not { } kept || !kept.Keys.AsSpan().SequenceEqual(keys))
            {
                Tracks.Attribution = new Attribution.SloAttribution(keys, options.Attribution, sli.Kind == SliKind.Latency);
            }
        }

        if (sli.Kind == SliKind.Composite)
        {
            Tracks.Overall.Composite = new CompositeSource(sli.Parts, sli.Combine, find ?? (_ => null));
        }
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

    /// <summary>
    /// The names of a status's windows, shared by all its evaluations: <see cref="WindowNames"/>, then each SLO window
    /// not among them (a status shows an SLO window once, with the SLO window's figures).
    /// </summary>
    public string[] StatusNames { get; }

    /// <summary>Where in <see cref="StatusNames"/> each of the definition's SLO windows goes.</summary>
    public int[] SloWindowSlots { get; }

    /// <summary>The names of a status's budgets: its SLO windows, in order (a definition lists each once).</summary>
    public string[] BudgetNames { get; }

    /// <summary>The SLO window that drives alerting, as an index into the definition's windows.</summary>
    public int AlertingWindow { get; }

    public EffectiveRule[] Rules { get; }

    /// <summary>Where the 1-hour window is in <see cref="Windows"/> (budget forecasts use its burn rate).</summary>
    public int HourWindow { get; }

    /// <summary>The rules as they run, each with its threshold in <see cref="BurnRateRule.BurnRate"/>.</summary>
    public BurnRateRule[] EffectiveRules => Array.ConvertAll(Rules, r => r.Rule);

    public int MinEvents { get; }

    /// <summary>The budget adjustments of the SLO, merged; set by the engine, read by each evaluation.</summary>
    public ExcludedRange[] Excluded { get; set; } = [];

    /// <summary>The adjustments of only the groups matching a selector; set by the engine with <see cref="Excluded"/>.</summary>
    public SelectorRange[] SelectorExcluded { get; set; } = [];

    /// <summary>
    /// What the series of a new SLO keep: its longest window, standard window (3 days) or rule window, whichever is
    /// longest, and the history beyond it (<c>Slos:HistoryRetention</c>).
    /// </summary>
    private TimeSpan Retention(SloDefinition definition, SloEngineOptions options)
    {
        var longest = definition.LongestWindow > StandardWindows[^1] ? definition.LongestWindow : StandardWindows[^1];
        foreach (var rule in Rules)
        {
            longest = rule.Rule.LongWindow > longest ? rule.Rule.LongWindow : longest;
        }

        return longest + options.HistoryRetention;
    }

    /// <summary>What decides whether data can be kept on reload: the SLI, the grouping and the retention.</summary>
    public static string Fingerprint(SloDefinition definition) =>
        string.Join('\u001f', definition.Sli.DataIdentity(), string.Join(',', definition.GroupBy), definition.LongestWindow.Ticks, definition.MaxGroups);

    private static (string[] Names, int[] Slots) Slots(string[] first, IReadOnlyList<SloWindow> windows)
    {
        var names = new List<string>(first);
        var slots = new int[windows.Count];
        for (var i = 0; i < windows.Count; i++)
        {
            slots[i] = names.IndexOf(windows[i].Text);
            if (slots[i] < 0)
            {
                slots[i] = names.Count;
                names.Add(windows[i].Text);
            }
        }

        return ([.. names], slots);
    }

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
