using SloMonitor.Otlp;
using SloMonitor.Slos.Attribution;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Attribution;

public sealed class AttributionTests
{
    private static readonly string Availability = EngineHarness.Slo("pay", "kind: availability");

    [Fact]
    public void ARouteHoldingNinetyPercentOfTheBadEventsAndFivePercentOfTheTrafficComesOutFirst()
    {
        var harness = new EngineHarness(Availability, Exact());
        FeedCheckoutIncident(harness);

        var reading = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5));

        Assert.Equal((500L, 10_000L), (reading.Bad, reading.Total));
        var first = reading.Top[0];
        Assert.Equal(("http.route", "/checkout"), (first.Key, first.Value));
        Assert.Equal(450, first.Bad);
        Assert.Equal(0, first.BadError);
        Assert.Equal(0.9, first.BadShare, 3);
        Assert.Equal(0.05, first.TotalShare, 3);
        var routes = reading.Keys.Single(k => k.Key == "http.route");
        Assert.Equal("/checkout", routes.Values[0].Value);
        // A key every event shares (the environment) is not over-represented, so it is not among the top.
        Assert.DoesNotContain(reading.Top, v => v.Key == "deployment.environment.name");
        Assert.Equal(1.0, reading.Keys.Single(k => k.Key == "deployment.environment.name").Values[0].BadShare, 3);
    }

    [Fact]
    public void WithGoodEventsSampledTheRouteStillComesOutFirstAndItsTrafficShareIsClose()
    {
        var harness = new EngineHarness(Availability, new SloEngineOptions { Attribution = { GoodSampleEvery = 16, GoodSamplesPerMinute = 0 } });
        FeedCheckoutIncident(harness);

        var reading = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5));

        Assert.Equal(500, reading.Bad);
        Assert.InRange(reading.Total, 8_000, 12_000);
        Assert.Equal("/checkout", reading.Top[0].Value);
        Assert.InRange(reading.Top[0].TotalShare, 0.02, 0.10);
    }

    [Fact]
    public void AValueWhoseFirstBadEventComesLateInTheSliceKeepsTheTrafficItHadBefore()
    {
        var harness = new EngineHarness(Availability, Exact());
        // Every event is version 7; its first bad event comes after 1,900 good ones.
        Spans(harness, TimeSpan.FromSeconds(40), 1900, 0, ("service.version", "7"), ("http.route", "/ok"));
        Spans(harness, TimeSpan.FromSeconds(30), 100, 90, ("service.version", "7"), ("http.route", "/checkout"));

        var reading = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5));

        var version = reading.Keys.Single(k => k.Key == "service.version").Values[0];
        Assert.Equal((1.0, 1.0), (version.BadShare, version.TotalShare));
        Assert.DoesNotContain(reading.Top, v => v.Key == "service.version");
        Assert.Equal("/checkout", reading.Top[0].Value);
        Assert.InRange(reading.Top[0].TotalShare, 0.05, 0.10);
    }

    [Fact]
    public void ANewVersionThatBringsTheErrorsShowsInAttributionAndAsADeployMarker()
    {
        var harness = new EngineHarness(Availability, Exact());
        for (var m = 50; m >= 1; m--)
        {
            var ago = TimeSpan.FromMinutes(m);
            if (m > 20)
            {
                Spans(harness, ago, 100, 1, ("service.version", "1.4.0"));
            }
            else
            {
                Spans(harness, ago, 50, 0, ("service.version", "1.4.0"));
                Spans(harness, ago, 50, 20, ("service.version", "1.5.0"));
            }
        }

        var attribution = Attribution(harness);
        var marker = Assert.Single(attribution.Deploys.Markers());
        Assert.Equal("1.5.0", marker.Version);
        Assert.Equal(harness.Now - TimeSpan.FromMinutes(20), marker.At);
        var reading = attribution.Read(harness.Now, TimeSpan.FromHours(1));
        var version = reading.Top.First(v => v.Key == "service.version");
        Assert.Equal("1.5.0", version.Value);
        Assert.Equal(400, version.Bad);
        Assert.True(version.BadShare > 0.9, $"bad share {version.BadShare}");
    }

    [Fact]
    public void TheReservoirKeepsTheMostRecentBadEventsOfEachSliceWithTheirTraceIds()
    {
        var harness = new EngineHarness(Availability, Exact());
        var end = harness.NanosAgo(TimeSpan.FromSeconds(50));
        for (var i = 0; i < 10; i++)
        {
            var span = SpanEvent.Create(
                "checkout", "GET /pay", SpanKind.Server, SpanStatusCode.Error, end + (i * 1_000_000_000L) - 80_000_000, end + (i * 1_000_000_000L),
                [new("http.route", "/pay")], traceId: TraceId(i), spanId: [1, 2, 3, 4, 5, 6, 7, (byte)(i + 1)]);
            harness.Engine.OnSpan(span);
        }

        var (recent, _) = Attribution(harness).Exemplars(harness.Now, TimeSpan.FromMinutes(5), 10);

        Assert.Equal(3, new AttributionOptions().ExemplarsPerSlice);
        Assert.Equal([9, 8, 7], recent.Select(e => TraceIdIndex(e.TraceId!)));
        Assert.Equal(Convert.ToHexStringLower(TraceId(9)), recent[0].TraceId);
        Assert.Equal("010203040506070a", recent[0].SpanId);
        Assert.Equal("error", recent[0].Status);
        Assert.Equal(0.08, recent[0].DurationSeconds, 6);
        Assert.Equal("/pay", recent[0].Values[Array.IndexOf(Attribution(harness).Keys, "http.route")]);
    }

    [Fact]
    public void ALatencySloKeepsTheSlowestBadEventsBesideTheRecentOnes()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", "kind: latency\nthreshold: 300ms"), Exact());
        var end = harness.NanosAgo(TimeSpan.FromSeconds(40));
        foreach (var ms in new[] { 2000, 400, 3000, 500, 600, 700, 800 })
        {
            harness.Engine.OnSpan(SpanEvent.Create("checkout", "GET /pay", SpanKind.Server, SpanStatusCode.Ok, end - (ms * 1_000_000L), end, traceId: TraceId(ms % 250)));
        }

        var (recent, slowest) = Attribution(harness).Exemplars(harness.Now, TimeSpan.FromMinutes(5), 2);

        Assert.Equal(2, recent.Length);
        Assert.Equal([3.0, 2.0], slowest.Select(e => e.DurationSeconds));
    }

    [Fact]
    public void AFloodOfDistinctLongValuesKeepsEverySummaryWithinItsCaps()
    {
        var options = Exact();
        var harness = new EngineHarness(Availability, options);
        var padding = new string('x', 500);
        for (var i = 0; i < 20_000; i++)
        {
            Spans(harness, TimeSpan.FromSeconds(30), 1, 1, ("http.route", $"/{i}/{padding}"), ("k8s.pod.name", $"pod-{i}"));
        }

        var attribution = Attribution(harness);
        var reading = attribution.Read(harness.Now, TimeSpan.FromMinutes(5), valuesPerKey: 1000);

        var routes = reading.Keys.Single(k => k.Key == "http.route");
        Assert.Equal(options.Attribution.ValuesPerKey, routes.Values.Length);
        Assert.All(routes.Values, v => Assert.Equal(options.Attribution.MaxValueLength, v.Value.Length));
        Assert.All(routes.Values, v => Assert.True(v.BadError > 0, "a flooded summary reports its overcount"));
        Assert.InRange(attribution.Bytes(), 1, 64 * 1024);
    }

    [Fact]
    public void EventsOfHalfAnHourAgoCountInTheHourButNotInTheFiveMinuteWindow()
    {
        var harness = new EngineHarness(Availability, Exact());
        Spans(harness, TimeSpan.FromMinutes(30), 100, 10, ("http.route", "/old"));
        Spans(harness, TimeSpan.FromMinutes(1), 100, 10, ("http.route", "/new"));

        var attribution = Attribution(harness);
        var recent = attribution.Read(harness.Now, TimeSpan.FromMinutes(5)).Keys.Single(k => k.Key == "http.route");
        var hour = attribution.Read(harness.Now, TimeSpan.FromHours(1)).Keys.Single(k => k.Key == "http.route");

        Assert.Equal(["/new"], recent.Values.Select(v => v.Value));
        Assert.Equal(["/new", "/old"], hour.Values.Select(v => v.Value).Order());
    }

    [Fact]
    public void AHistogramLatencySloAttributesItsSlowBucketsToThePointAttributes()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", "kind: latency\nsource: metrics\nmetric: http.server.request.duration\nthreshold: 300ms"), Exact());
        var time = harness.NanosAgo(TimeSpan.FromMinutes(1));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", time, 100, 10, [0.1, 0.3, 1], [50, 45, 5, 0], [new("http.route", "/fast")]));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", time, 10, 10, [0.1, 0.3, 1], [0, 2, 6, 2], [new("http.route", "/slow")]));

        var reading = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5));

        Assert.Equal((13L, 110L), (reading.Bad, reading.Total));
        var top = reading.Top[0];
        Assert.Equal(("/slow", 8L, 10L), (top.Value, top.Bad, top.Total));
    }

    [Fact]
    public void TheSloOwnGroupByAndLabelKeysAreCountedAfterTheDefaults()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability", "groupBy: [tenant]\nlabels:\n  team: payments"), Exact());

        var keys = Attribution(harness).Keys;

        Assert.Equal(AttributionOptions.DefaultKeys.Concat(["tenant", "team"]), keys);
    }

    private static SloEngineOptions Exact() => new() { Attribution = { GoodSampleEvery = 1, GoodSamplesPerMinute = 0 } };

    private static SloAttribution Attribution(EngineHarness harness) => harness.Engine.AttributionOf(harness.Engine.Definitions[0].Name)!;

    /// <summary>10,000 spans in the last five minutes over 20 routes; /checkout has 5 % of them and 450 of the 500 errors.</summary>
    private static void FeedCheckoutIncident(EngineHarness harness)
    {
        for (var m = 4; m >= 0; m--)
        {
            var ago = TimeSpan.FromMinutes(m) + TimeSpan.FromSeconds(20);
            Spans(harness, ago, 100, 90, ("http.route", "/checkout"), ("deployment.environment.name", "prod"));
            for (var r = 0; r < 19; r++)
            {
                Spans(harness, ago, 100, r < 10 ? 1 : 0, ("http.route", $"/r{r}"), ("deployment.environment.name", "prod"));
            }
        }
    }

    private static void Spans(EngineHarness harness, TimeSpan ago, int count, int bad, params (string Key, string Value)[] attributes) =>
        harness.Spans("checkout", ago, count, bad, attributes: attributes.Select(a => new KeyValuePair<string, string>(a.Key, a.Value)));

    private static byte[] TraceId(int i) => [0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(i + 1)];

    private static int TraceIdIndex(string hex) => Convert.FromHexString(hex)[15] - 1;
}
