using SloMonitor.Histograms;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Recording;

public sealed class SliKindTests
{
    [Fact]
    public void ALatencySliCountsExactlyTheSpansAboveTheThresholdAsBadAndReportsP99WithinTheHistogramBound()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", "kind: latency\nthreshold: 300ms"));
        var durations = new List<double>();
        for (var i = 1; i <= 1000; i++)
        {
            var seconds = i / 1000.0; // 1 ms .. 1000 ms; 300 of them at or below 300 ms
            durations.Add(seconds);
            harness.Spans("checkout", TimeSpan.FromMinutes(2), 1, 0, seconds);
        }

        var evaluation = harness.EvaluateWithLatency("pay-latency");

        var window = evaluation.Status.Windows["5m"];
        Assert.Equal((300L, 1000L), (window.Good, window.Total));
        var exactP99 = durations.Order().ElementAt(989);
        var bound = HistogramSnapshot.Empty(5).RelativeError;
        Assert.InRange(window.Latency!.P99!.Value, exactP99 * (1 - bound), exactP99 * (1 + bound));
        Assert.InRange(window.Latency!.P50!.Value, 0.5 * (1 - bound), 0.501 * (1 + bound));
    }

    [Fact]
    public void AReplicationLagGaugeAboveItsThresholdForTwelveOfSixtyMinutesHasFortyEightGoodSlicesOfSixty()
    {
        var harness = new EngineHarness("""
            slos:
              - name: replication-lag
                service: db
                objective: 99
                sli:
                  kind: gauge
                  metric: pg.replication.lag
                  threshold: 5
                  aggregation: max
                  lateness: 0s
            """);
        for (var second = 5; second < 3600; second += 10)
        {
            var minute = second / 60;
            var lag = minute is >= 20 and < 32 ? 9.5 : 0.4;
            harness.Point(MetricPointEvent.ForGauge("db", "pg.replication.lag", harness.NanosAgo(TimeSpan.FromSeconds(3600 - second)), lag));
        }

        var evaluation = harness.Evaluate("replication-lag");

        var hour = evaluation.Status.Windows["1h"];
        Assert.Equal((48L, 60L), (hour.Good, hour.Total));
        Assert.Equal(0.8, hour.Sli!.Value, 12);
        Assert.Null(hour.Rate);
    }

    [Fact]
    public void ARatioSliFromCountersUsesTheBadCounterAgainstTheTotal()
    {
        var harness = new EngineHarness("""
            slos:
              - name: pay-retries
                service: checkout
                objective: 99
                sli:
                  kind: ratio
                  bad: 'http.client.retries{http.route="/pay"}'
                  total: 'http.server.request.duration{http.route="/pay"}'
            """);
        var pay = new[] { KeyValuePair.Create("http.route", "/pay") };
        var other = new[] { KeyValuePair.Create("http.route", "/other") };
        harness.Point(MetricPointEvent.ForSum("checkout", "http.client.retries", harness.NanosAgo(TimeSpan.FromMinutes(2)), 7, attributes: pay));
        harness.Point(MetricPointEvent.ForSum("checkout", "http.client.retries", harness.NanosAgo(TimeSpan.FromMinutes(2)), 50, attributes: other));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", harness.NanosAgo(TimeSpan.FromMinutes(2)), 1000, 12.5, [0.1, 1], [900, 90, 10], pay));

        var window = harness.Evaluate("pay-retries").Status.Windows["5m"];

        Assert.Equal((993L, 1000L), (window.Good, window.Total));
        Assert.Equal(0.7, window.BurnRate!.Value, 9);
        Assert.Equal(1000 / 300.0, window.Rate!.Value, 9);
    }

    [Fact]
    public void AMetricSliCountsOnlyThePointsOfItsServiceUnlessItsSelectorNamesServices()
    {
        var harness = new EngineHarness("""
            slos:
              - name: checkout-retries
                service: checkout
                objective: 99
                sli:
                  kind: ratio
                  bad: 'rpc.retries'
                  total: 'rpc.calls'
              - name: all-retries
                service: platform
                objective: 99
                sli:
                  kind: ratio
                  bad: 'rpc.retries{service.name=~"checkout|billing"}'
                  total: 'rpc.calls{service.name=~"checkout|billing"}'
            """);
        var at = harness.NanosAgo(TimeSpan.FromMinutes(2));
        harness.Point(MetricPointEvent.ForSum("checkout", "rpc.calls", at, 100));
        harness.Point(MetricPointEvent.ForSum("checkout", "rpc.retries", at, 2));
        harness.Point(MetricPointEvent.ForSum("billing", "rpc.calls", at, 900));
        harness.Point(MetricPointEvent.ForSum("billing", "rpc.retries", at, 300));

        var checkout = harness.Evaluate("checkout-retries").Status.Windows["5m"];
        var all = harness.Evaluate("all-retries").Status.Windows["5m"];

        Assert.Equal((98L, 100L), (checkout.Good, checkout.Total));
        Assert.Equal((698L, 1000L), (all.Good, all.Total));
    }

    [Fact]
    public void ALatencySliFromAnExplicitHistogramCountsTheBucketsAtOrBelowTheThresholdAsGood()
    {
        var harness = new EngineHarness("""
            slos:
              - name: pay-latency
                service: checkout
                objective: 99
                sli:
                  kind: latency
                  source: metrics
                  metric: http.server.request.duration
                  threshold: 250ms
            """);
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", harness.NanosAgo(TimeSpan.FromMinutes(1)), 100, 20, [0.1, 0.25, 1], [60, 30, 9, 1]));

        var window = harness.EvaluateWithLatency("pay-latency").Status.Windows["5m"];

        Assert.Equal((90L, 100L), (window.Good, window.Total));
        Assert.NotNull(window.Latency!.P99);
    }

    [Fact]
    public void AvailabilityWithABadSelectorCountsOnlyMatchingSpansAsBad()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability\nmatch: 'http.route=~\"/api/.*\"'\nbad: 'http.response.status_code=~\"5..\"'"));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 90, 0, attributes: [new("http.route", "/api/pay"), new("http.response.status_code", "200")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 10, 10, attributes: [new("http.route", "/api/pay"), new("http.response.status_code", "503")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 5, 5, attributes: [new("http.route", "/api/pay"), new("http.response.status_code", "404")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 50, 50, attributes: [new("http.route", "/healthz")]);
        harness.Spans("other", TimeSpan.FromMinutes(1), 50, 50, attributes: [new("http.route", "/api/pay")]);

        var window = harness.Evaluate("pay").Status.Windows["5m"];

        Assert.Equal((95L, 105L), (window.Good, window.Total));
    }

    [Fact]
    public void APercentileObjectiveCountsSlicesWhoseP99IsWithinTheThreshold()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-p99", "kind: latency\nthreshold: 500ms\npercentile: 99\ntimeslice: 1m"));
        SloMonitor.Slos.Evaluation.SloEvaluation? evaluation = null;
        for (var minute = 1; minute <= 10; minute++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(1));
            harness.Spans("checkout", TimeSpan.FromSeconds(30), 50, 0, 0.1);
            harness.Spans("checkout", TimeSpan.FromSeconds(30), 2, 0, minute <= 3 ? 0.9 : 0.1);
            evaluation = harness.Evaluate("pay-p99");
        }

        // The last two slices ended less than the 90-second lateness allowance ago: pending, not judged yet.
        var window = evaluation!.Status.Windows["30m"];
        Assert.Equal((5L, 8L, 2L), (window.Good, window.Total, window.PendingSlices));

        harness.Time.Advance(TimeSpan.FromSeconds(90));
        window = harness.Evaluate("pay-p99").Status.Windows["30m"];
        Assert.Equal((7L, 10L, 0L), (window.Good, window.Total, window.PendingSlices));
        Assert.Equal(520 / 1800.0, window.Rate!.Value, 9);
    }

    [Fact]
    public void GroupBySplitsTheSliPerValueAndCapsTheNumberOfGroups()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability", "groupBy: [http.route]\nmaxGroups: 2"));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 10, 1, attributes: [new("http.route", "/a")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 20, 0, attributes: [new("http.route", "/b")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 30, 0, attributes: [new("http.route", "/c")]);

        var round = harness.Round("pay");
        SloEvaluation[] evaluations = [round.Overall, .. round.Groups];

        Assert.Equal(3, evaluations.Length);
        Assert.Equal(60, evaluations[0].Status.Windows["5m"].Total);
        Assert.Equal("/a", evaluations[1].GroupLabels["http.route"]);
        Assert.Equal((9L, 10L), (evaluations[1].Status.Windows["5m"].Good, evaluations[1].Status.Windows["5m"].Total));
        Assert.Equal(20, evaluations[2].Status.Windows["5m"].Total);
        var problem = Assert.Single(evaluations[0].Status.Problems);
        Assert.Contains("cap of 2 groups", problem);
        Assert.Contains("30 events", problem);
    }
}
