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

/// <summary>
/// Raise an alert of <see cref="Severity"/> when, at the burn rate over <see cref="Window"/>, the remaining budget
/// runs out within <see cref="Within"/>, or, when that is null, before the end of the SLO window (the end of the
/// calendar month; one period from now for a rolling window).
/// </summary>
public sealed record BudgetExhaustionAlert(string Severity, TimeSpan Window, TimeSpan? Within);

/// <summary>Raise an alert of <see cref="Severity"/> while the remaining share of the budget is below <see cref="Below"/>.</summary>
public sealed record BudgetRemainingAlert(string Severity, double Below);

/// <summary>
/// How an SLO alerts: the burn-rate rules, the short-window event guard, the resolve delay, and the budget alerts
/// (forecast exhaustion, remaining share).
/// </summary>
public sealed record AlertingPolicy(IReadOnlyList<BurnRateRule> Rules, int? MinEvents, TimeSpan ResolveAfter, NoDataAlert? NoData)
{
    /// <summary>Alerts on the forecast end of the budget (<c>alerting.budgetExhaustion</c>).</summary>
    public IReadOnlyList<BudgetExhaustionAlert> BudgetExhaustion { get; init; } = [];

    /// <summary>Alerts on the remaining share of the budget (<c>alerting.budgetRemaining</c>).</summary>
    public IReadOnlyList<BudgetRemainingAlert> BudgetRemaining { get; init; } = [];

    public const string Page = "page";
    public const string Ticket = "ticket";
    public const int DefaultMinEvents = 10;
    public const int DefaultMinSlices = 1;
    public static readonly TimeSpan DefaultResolveAfter = TimeSpan.FromMinutes(5);

    /// <summary>The period the SRE Workbook wrote its policy for; the default rules' windows scale from it.</summary>
    public static readonly TimeSpan ReferencePeriod = TimeSpan.FromDays(30);

    /// <summary>The SRE Workbook policy for 30 days: 2 %, 5 %, 10 % and 10 % of the budget over the long windows.</summary>
    public static readonly IReadOnlyList<BurnRateRule> DefaultRules =
    [
        new(Page, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), null, 0.02),
        new(Page, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), null, 0.05),
        new(Ticket, TimeSpan.FromDays(1), TimeSpan.FromHours(2), null, 0.1),
        new(Ticket, TimeSpan.FromDays(3), TimeSpan.FromHours(6), null, 0.1),
    ];

    public static AlertingPolicy Default { get; } = new(DefaultRules, null, DefaultResolveAfter, null);

    /// <summary>True when the SLO gave no rules of its own and follows the Workbook's default policy.</summary>
    public bool UsesDefaultRules => ReferenceEquals(Rules, DefaultRules);

    /// <summary>The short-window guard: 10 events by default, 1 slice for time-slice SLIs.</summary>
    public int MinEventsFor(SliDefinition sli) => MinEvents ?? (sli.IsTimeslice ? DefaultMinSlices : DefaultMinEvents);

    /// <summary>
    /// The rules as they run for an SLO period, each with its absolute threshold in <see cref="BurnRateRule.BurnRate"/>.
    /// A user's rules keep their windows. The default rules keep the Workbook's burn rates (14.4, 6, 3, 1) and their
    /// share of the budget, and scale their windows with the period instead (a 7-day SLO pages on 14m/70s): rescaling
    /// the thresholds instead would put the slow pairs below 1 for periods under 30 days, ticketing on services that
    /// meet their objective. Scaled windows are rounded (long windows to the minute, short ones to 5 seconds, the
    /// finest slice) and the threshold is recomputed from the budget share for the rounded window.
    /// </summary>
    public IReadOnlyList<BurnRateRule> EffectiveRules(TimeSpan period)
    {
        var rules = new BurnRateRule[Rules.Count];
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = Rules[i];
            if (UsesDefaultRules && period != ReferencePeriod)
            {
                var factor = period / ReferencePeriod;
                var longWindow = Round(rule.LongWindow * factor, TimeSpan.FromMinutes(1));
                var shortWindow = Round(rule.ShortWindow * factor, TimeSpan.FromSeconds(5));
                if (shortWindow >= longWindow)
                {
                    shortWindow = longWindow - TimeSpan.FromSeconds(5);
                }

                rule = rule with { LongWindow = longWindow, ShortWindow = shortWindow };
            }

            rules[i] = rule with { BurnRate = rule.ThresholdFor(period) };
        }

        return rules;
    }

    private static TimeSpan Round(TimeSpan value, TimeSpan unit)
    {
        var units = Math.Round(value / unit, MidpointRounding.AwayFromZero);
        return unit * Math.Max(1, units);
    }
}
