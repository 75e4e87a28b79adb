using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Budgets;

public sealed class DefaultPolicyTests
{
    public static TheoryData<string> Periods => ["1d", "7d", "14d", "28d", "30d", "90d", "400d"];

    [Theory]
    [MemberData(nameof(Periods))]
    public void EveryDefaultRuleKeepsItsBudgetShareWithABurnRateOfAtLeastOneAndWindowsInsideThePeriod(string periodText)
    {
        Assert.True(DurationText.TryParse(periodText, out var period));
        var rules = AlertingPolicy.Default.EffectiveRules(period);

        Assert.Equal(4, rules.Count);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var share = AlertingPolicy.DefaultRules[i].BudgetShare!.Value;
            Assert.True(rule.BurnRate >= 1, $"{periodText} {rule}: threshold below 1");
            Assert.True(rule.ShortWindow < rule.LongWindow, $"{periodText} {rule}: short window not shorter");
            Assert.True(rule.LongWindow <= period, $"{periodText} {rule}: long window longer than the period");
            Assert.Equal(share, rule.BurnRate!.Value * rule.LongWindow / period, 12);
        }
    }

    [Fact]
    public void ACalendarMonthRunsTheWorkbookPolicyAsWritten()
    {
        var definition = Parse("window: month");

        var rules = definition.Alerting.EffectiveRules(definition.Window.Period);

        Assert.Equal(
            [("1h", "5m", 14.4), ("6h", "30m", 6.0), ("1d", "2h", 3.0), ("3d", "6h", 1.0)],
            rules.Select(r => (DurationText.Format(r.LongWindow), DurationText.Format(r.ShortWindow), Math.Round(r.BurnRate!.Value, 9))));
    }

    [Theory]
    [InlineData("7d", "14m", "70s", "84m", "7m", "336m", "28m", "1008m", "84m")]
    [InlineData("14d", "28m", "140s", "168m", "14m", "672m", "56m", "2016m", "168m")]
    [InlineData("28d", "56m", "280s", "336m", "28m", "1344m", "112m", "4032m", "336m")]
    [InlineData("30d", "1h", "5m", "6h", "30m", "1d", "2h", "3d", "6h")]
    [InlineData("90d", "3h", "15m", "18h", "90m", "3d", "6h", "9d", "18h")]
    public void TheDefaultWindowsScaleWithThePeriodAsDocumented(string period, params string[] windows)
    {
        var definition = Parse($"window: {period}");

        var rules = definition.Alerting.EffectiveRules(definition.Window.Period);

        Assert.Equal(windows, rules.SelectMany(r => new[] { DurationText.Format(r.LongWindow), DurationText.Format(r.ShortWindow) }));
        Assert.Equal([14.4, 6, 3, 1], rules.Select(r => Math.Round(r.BurnRate!.Value, 9)));
    }

    [Theory]
    [InlineData("28d", 90, "ok")]      // burn rate 0.9
    [InlineData("28d", 95, "ok")]      // 0.95: above the 0.933 that rescaling the 3d/6h threshold to 28 days gave
    [InlineData("14d", 60, "ok")]      // 0.6
    [InlineData("7d", 90, "ok")]
    [InlineData("90d", 90, "ok")]
    [InlineData("28d", 130, "ticket")] // 1.3: at this rate the budget would not last the period
    [InlineData("14d", 130, "ticket")]
    [InlineData("7d", 130, "ticket")]
    public void AServiceBurningSteadilyForFiveDaysTicketsOnlyWhenItWouldOverspendItsBudget(string period, int badPerTenThousand, string expected)
    {
        var harness = new EngineHarness($$"""
            slos:
              - name: orders
                service: shop
                objective: 99
                window: {{period}}
                sli: {kind: ratio, total: requests, bad: errors}
            """);
        var states = new HashSet<string>(StringComparer.Ordinal);
        for (var hour = 0; hour < 5 * 24; hour++)
        {
            for (var minute = 0; minute < 60; minute++)
            {
                harness.Time.Advance(TimeSpan.FromMinutes(1));
                var at = harness.NanosAgo(TimeSpan.FromSeconds(30));
                harness.Point(MetricPointEvent.ForSum("shop", "requests", at, 10_000));
                harness.Point(MetricPointEvent.ForSum("shop", "errors", at, badPerTenThousand));
            }

            // From the second hour on: every window the rules read holds data by then.
            var state = harness.Evaluate("orders").State;
            if (hour > 0)
            {
                states.Add(state);
            }
        }

        Assert.Equal([expected], states);
    }

    private static SloDefinition Parse(string extra)
    {
        var parsed = SloMonitor.Slos.Parsing.SloParser.ParseYaml($$"""
            name: pay
            service: checkout
            objective: 99.9
            {{extra}}
            sli: {kind: availability}
            """, "test.yaml");
        Assert.True(parsed.IsValid, string.Join(Environment.NewLine, parsed.Errors));
        return parsed.Definitions[0];
    }
}
