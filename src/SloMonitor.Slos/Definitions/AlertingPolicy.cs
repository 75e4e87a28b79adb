namespace SloMonitor.Slos.Definitions;

/// <summary>
/// One multi-window burn-rate rule: it holds when the burn rates over both windows are strictly greater than the
/// threshold. The threshold is given either as an absolute <see cref="BurnRate"/> or as the
/// <see cref="BudgetShare"/> of the whole budget the long window may burn, rescaled to the SLO period.
/// </summary>
public sealed record BurnRateRule(string Severity, TimeSpan LongWindow, TimeSpan ShortWindow, double? BurnRate, double? BudgetShare)
{
    /// <summary>threshold = budget share × period ÷ long window (a 30d SLO's 1h/5m pair: 0.02 × 720 = 14.4).</summary>
    public double ThresholdFor(TimeSpan period) =>
        BurnRate ?? BudgetShare!.Value * period.TotalSeconds / LongWindow.TotalSeconds;
}

/// <summary>Raise an alert of <see cref="Severity"/> when no event has arrived for <see cref="After"/>.</summary>
public sealed record NoDataAlert(TimeSpan After, string Severity);

/// <summary>How an SLO alerts: the burn-rate rules, the short-window event guard, and the resolve delay.</summary>
public sealed record AlertingPolicy(IReadOnlyList<BurnRateRule> Rules, int? MinEvents, TimeSpan ResolveAfter, NoDataAlert? NoData)
{
    public const string Page = "page";
    public const string Ticket = "ticket";
    public const int DefaultMinEvents = 10;
    public const int DefaultMinSlices = 1;
    public static readonly TimeSpan DefaultResolveAfter = TimeSpan.FromMinutes(5);

    /// <summary>The SRE Workbook policy for 30 days, written as budget shares so other periods keep its meaning.</summary>
    public static readonly IReadOnlyList<BurnRateRule> DefaultRules =
    [
        new(Page, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), null, 0.02),
        new(Page, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), null, 0.05),
        new(Ticket, TimeSpan.FromDays(1), TimeSpan.FromHours(2), null, 0.1),
        new(Ticket, TimeSpan.FromDays(3), TimeSpan.FromHours(6), null, 0.1),
    ];

    public static AlertingPolicy Default { get; } = new(DefaultRules, null, DefaultResolveAfter, null);

    /// <summary>The short-window guard: 10 events by default, 1 slice for time-slice SLIs.</summary>
    public int MinEventsFor(SliDefinition sli) => MinEvents ?? (sli.IsTimeslice ? DefaultMinSlices : DefaultMinEvents);
}
