using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class BurnRateAlertTests
{
    private const string Availability = "kind: availability\nmatch: 'span.kind=\"server\"'";

    [Fact]
    public void OnePointFivePercentErrorsOverTheHourAndFiveMinutesPages()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.SpansPerMinute("checkout", 1, 60, _ => (200, 3));

        var evaluation = harness.Evaluate("pay");

        var windows = evaluation.Status.Windows;
        Assert.Equal((985L, 1000L), (windows["5m"].Good, windows["5m"].Total));
        Assert.Equal((11820L, 12000L), (windows["1h"].Good, windows["1h"].Total));
        Assert.Equal(15, windows["5m"].BurnRate!.Value, 9);
        Assert.Equal(15, windows["1h"].BurnRate!.Value, 9);
        Assert.Equal(0.015, windows["1h"].ErrorRate!.Value, 12);
        Assert.Equal("page", evaluation.State);
        var alert = Assert.Single(evaluation.ActiveAlerts, a => a.Severity == "page");
        Assert.Equal(("1h", "5m"), (alert.LongWindow, alert.ShortWindow));
        Assert.Equal(14.4, alert.Threshold, 9);
        Assert.Equal(harness.Now, alert.Since);
    }

    [Fact]
    public void ErrorsOnlyBetweenSixtyAndThirtyMinutesAgoRaiseATicketFromTheThreeDaySixHourPairButNoPage()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.SpansPerMinute("checkout", 1, 360, m => (100, m is >= 31 and <= 60 ? 3 : 0));

        var evaluation = harness.Evaluate("pay");

        var windows = evaluation.Status.Windows;
        Assert.Equal(15, windows["1h"].BurnRate!.Value, 9);
        Assert.Equal(0, windows["5m"].BurnRate!.Value);
        Assert.Equal(0, windows["30m"].BurnRate!.Value);
        Assert.Equal(2.5, windows["6h"].BurnRate!.Value, 9);
        Assert.Equal(2.5, windows["3d"].BurnRate!.Value, 9);
        Assert.Equal((35910L, 36000L), (windows["6h"].Good, windows["6h"].Total));
        Assert.Equal("ticket", evaluation.State);
        var alert = Assert.Single(evaluation.ActiveAlerts);
        Assert.Equal(("ticket", "3d", "6h"), (alert.Severity, alert.LongWindow, alert.ShortWindow));
        Assert.Equal(1, alert.Threshold, 9);
    }

    [Fact]
    public void ZeroPointSevenPercentOverSixHoursAndThirtyMinutesPagesThroughTheSlowPair()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.SpansPerMinute("checkout", 1, 360, _ => (1000, 7));

        var evaluation = harness.Evaluate("pay");

        Assert.Equal(7, evaluation.Status.Windows["1h"].BurnRate!.Value, 9);
        Assert.Equal("page", evaluation.State);
        var alert = Assert.Single(evaluation.ActiveAlerts, a => a.Severity == "page");
        Assert.Equal(("6h", "30m", 6.0), (alert.LongWindow, alert.ShortWindow, Math.Round(alert.Threshold, 9)));
        Assert.Equal(7, alert.LongBurnRate, 9);
    }

    [Fact]
    public void ZeroPointTwelvePercentOverThreeDaysAndSixHoursRaisesOnlyATicket()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        for (var k = 1; k <= 288; k++)
        {
            harness.Spans("checkout", TimeSpan.FromMinutes((k * 15) - 7.5), 2500, 3);
        }

        var evaluation = harness.Evaluate("pay");

        var windows = evaluation.Status.Windows;
        Assert.Equal((720_000L - 864, 720_000L), (windows["3d"].Good, windows["3d"].Total));
        Assert.Equal(1.2, windows["3d"].BurnRate!.Value, 9);
        Assert.Equal(1.2, windows["6h"].BurnRate!.Value, 9);
        Assert.Equal(1.2, windows["1d"].BurnRate!.Value, 9);
        Assert.Equal("ticket", evaluation.State);
        var alert = Assert.Single(evaluation.ActiveAlerts);
        Assert.Equal(("ticket", "3d", "6h"), (alert.Severity, alert.LongWindow, alert.ShortWindow));
    }

    [Theory]
    [InlineData(145, true)]
    [InlineData(143, false)]
    public void A28DayNinetyNinePercentSloPagesOnItsScaledFastPairAboveABurnRateOf14_4(int badPerThousand, bool pages)
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, objective: "99", window: "28d"));
        // Errors only in the last 56 minutes, so that the slow pair (5h36m at 6) stays below its threshold.
        harness.SpansPerMinute("checkout", 1, 360, m => (1000, m <= 56 ? badPerThousand : 0));

        var evaluation = harness.Evaluate("pay");

        var page = evaluation.ActiveAlerts.SingleOrDefault(a => a.Severity == "page");
        Assert.Equal(pages, page is not null);
        if (pages)
        {
            // The Workbook's 1h/5m pair scaled by 28/30: 56m and 280 s, the same 2 % of the budget at 14.4.
            Assert.Equal(("56m", "280s"), (page!.LongWindow, page.ShortWindow));
            Assert.Equal(14.4, page.Threshold, 9);
        }
    }

    [Fact]
    public void OneFailureOutOfTwoEventsDoesNotPageBecauseOfTheMinimumEventGuard()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 2, 1);

        var evaluation = harness.Evaluate("pay");

        Assert.Equal(500, evaluation.Status.Windows["5m"].BurnRate!.Value, 9);
        Assert.Empty(evaluation.ActiveAlerts);
        Assert.Equal("ok", evaluation.State);
    }

    [Fact]
    public void WithoutEventsTheStateIsNoDataAndNoRatioIsReported()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));

        var evaluation = harness.Evaluate("pay");

        Assert.Equal("nodata", evaluation.State);
        Assert.Null(evaluation.Status.Windows["30d"].Sli);
        Assert.Null(evaluation.Status.Windows["1h"].BurnRate);
        Assert.Null(evaluation.ErrorBudgetRemainingRatio);
    }

    [Fact]
    public void APageStaysActiveForResolveAfterOnceTheBurnStopsAndKeepsItsStartTime()
    {
        const string alerting = "alerting:\n  resolveAfter: 5m\n  rules:\n    - {severity: page, longWindow: 1h, shortWindow: 5m, burnRate: 14.4}";
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, alerting));
        harness.SpansPerMinute("checkout", 1, 60, _ => (200, 10));
        var first = harness.Evaluate("pay");
        Assert.Equal("page", first.State);

        // From the first clean minute on, the 5m burn rate is below 14.4, so the rule no longer holds.
        var states = new List<string>();
        for (var minute = 1; minute <= 5; minute++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(1));
            harness.Spans("checkout", TimeSpan.FromSeconds(30), 5000, 0);
            var evaluation = harness.Evaluate("pay");
            states.Add(evaluation.State);
            if (evaluation.State == "page")
            {
                Assert.Equal(first.ActiveAlerts[0].Since, evaluation.ActiveAlerts[0].Since);
            }
        }

        Assert.Equal(["page", "page", "page", "page", "ok"], states);
    }

    [Fact]
    public void AShorterSloPeriodScalesTheDefaultWindowsAndKeepsTheWorkbookBurnRates()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, window: "7d"));
        harness.SpansPerMinute("checkout", 1, 60, _ => (1000, 4));

        // A burn rate of 4 pages a 30-day SLO's budget share into 7 days' windows only if thresholds were rescaled.
        Assert.DoesNotContain(harness.Evaluate("pay").ActiveAlerts, a => a.Severity == "page");

        harness.SpansPerMinute("checkout", 1, 14, _ => (1000, 30));
        var alert = Assert.Single(harness.Evaluate("pay").ActiveAlerts, a => a.Severity == "page");
        Assert.Equal(("14m", "70s", 14.4), (alert.LongWindow, alert.ShortWindow, alert.Threshold));
    }
}
