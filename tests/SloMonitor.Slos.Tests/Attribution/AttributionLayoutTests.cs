using System.Globalization;
using SloMonitor.Otlp;
using SloMonitor.Slos.Attribution;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Attribution;

/// <summary>The compact layout of attribution: its memory, its caps, and what it keeps exact.</summary>
public sealed class AttributionLayoutTests
{
    private const int MemoryLimit = 64 * 1024;

    private static readonly string Availability = EngineHarness.Slo("pay", "kind: availability");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SixHoursOfBadEventsKeepAnSloUnderTheMemoryLimitEvenWhenSixKeysBringNewValuesEveryMinute(bool flood)
    {
        var harness = new EngineHarness(Availability);
        for (var minute = 360; minute >= 1; minute--)
        {
            for (var n = 0; n < 10; n++)
            {
                harness.Engine.OnSpan(BenchmarkSpan(harness, minute, n, flood));
            }
        }

        var attribution = Attribution(harness);
        var bytes = attribution.Bytes();

        // The layout keeps both well under the limit (the flood took 41.2 KiB when this was written).
        Assert.InRange(bytes, 1, flood ? 48 * 1024 : 32 * 1024);
        Assert.InRange(bytes, 1, MemoryLimit);
        var reading = attribution.Read(harness.Now, TimeSpan.FromHours(6));
        Assert.Equal(3600, reading.Bad);
        Assert.Equal(("http.route", "/r3", 3600L, 0L), (reading.Keys[0].Key, reading.Keys[0].Values[0].Value, reading.Keys[0].Values[0].Bad, reading.Keys[0].Values[0].BadError));
    }

    [Fact]
    public void ValuesReplacedInAFullSummaryLeaveNoTextBehind()
    {
        var harness = new EngineHarness(Availability);
        FloodOneSlice(harness, 0, 2_000);
        var before = Attribution(harness).Bytes();

        FloodOneSlice(harness, 2_000, 20_000);
        var after = Attribution(harness).Bytes();

        Assert.InRange(after, before * 0.95, before * 1.05);
        var routes = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5), valuesPerKey: 100).Keys.Single(k => k.Key == "http.route");
        Assert.Equal(new AttributionOptions().ValuesPerKey, routes.Values.Length);
        Assert.Contains(routes.Values, v => v.Value == "/route-019999");
    }

    [Fact]
    public void TheTopValuesOfEveryWindowHaveExactCountsWhileTheirSummaryHoldsThemAll()
    {
        var harness = new EngineHarness(Availability, Exact());
        for (var r = 0; r < 5; r++)
        {
            Spans(harness, TimeSpan.FromMinutes(2), 500, 50 - (10 * r), ("http.route", $"/r{r}"));
        }

        foreach (var window in SloAttribution.Windows)
        {
            var routes = Attribution(harness).Read(harness.Now, window).Keys.Single(k => k.Key == "http.route");

            Assert.Equal(["/r0", "/r1", "/r2", "/r3", "/r4"], routes.Values.Select(v => v.Value));
            Assert.Equal([50L, 40, 30, 20, 10], routes.Values.Select(v => v.Bad));
            Assert.All(routes.Values, v => Assert.Equal((0L, 500L), (v.BadError, v.Total)));
        }
    }

    [Fact]
    public void AValueWithMostOfTheBadEventsAmongAFloodOfOthersIsCountedWithinTheErrorBound()
    {
        var harness = new EngineHarness(Availability, Exact());
        var singles = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var route = i % 5 < 3 ? "/hot" : $"/cold-{singles++}";
            Spans(harness, TimeSpan.FromSeconds(30), 1, 1, ("http.route", route));
        }

        var hot = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5)).Keys.Single(k => k.Key == "http.route").Values[0];

        Assert.Equal("/hot", hot.Value);
        Assert.InRange(600, hot.Bad - hot.BadError, hot.Bad);
        Assert.InRange(hot.BadError, 0, 1_000 / new AttributionOptions().ValuesPerKey);
    }

    [Fact]
    public void CountsThatOutgrowTheirNarrowCountersWidenAndStayExact()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", "kind: latency\nsource: metrics\nmetric: http.server.request.duration\nthreshold: 300ms"));
        var time = harness.NanosAgo(TimeSpan.FromSeconds(30));
        const long Slow = 5_000_000_000;
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", time, 100_000, 1, [0.1, 0.3, 1], [100_000, 0, 0, 0], [new("http.route", "/slow")]));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", time, Slow, 1, [0.1, 0.3, 1], [0, 0, (ulong)Slow, 0], [new("http.route", "/slow")]));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", time, 1, 1, [0.1, 0.3, 1], [0, 0, 1, 0], [new("http.route", "/slow")]));

        var attribution = Attribution(harness);
        var route = attribution.Read(harness.Now, TimeSpan.FromMinutes(5)).Keys.Single(k => k.Key == "http.route").Values[0];

        Assert.True(attribution.AnySliceWide(harness.Now), "a slice widened its counters");
        // The first 100,000 fast events came before the value was tracked: the sketch, widened, still has them.
        Assert.Equal(("/slow", Slow + 1, 0L, Slow + 100_001), (route.Value, route.Bad, route.BadError, route.Total));
    }

    [Fact]
    public void TheReservoirOfEverySliceKeepsItsMostRecentBadEventsWithTheirAttributesAsTheyCame()
    {
        var harness = new EngineHarness(Availability, Exact());
        var route = "/café/" + new string('é', 120);
        for (var minute = 2; minute >= 1; minute--)
        {
            var end = harness.NanosAgo(TimeSpan.FromMinutes(minute));
            for (var i = 0; i < 10; i++)
            {
                var id = (10 * (2 - minute)) + i;
                harness.Engine.OnSpan(SpanEvent.Create(
                    "checkout", "GET /pay", SpanKind.Server, SpanStatusCode.Error, end + (i * 1_000_000_000L) - 40_000_000, end + (i * 1_000_000_000L),
                    [new("http.route", route), new("k8s.pod.name", $"pod-{id}")], traceId: TraceId(id), spanId: [1, 2, 3, 4, 5, 6, 7, (byte)(id + 1)]));
            }
        }

        var attribution = Attribution(harness);
        var (fiveMinutes, _) = attribution.Exemplars(harness.Now, TimeSpan.FromMinutes(5), 20);
        var (hour, _) = attribution.Exemplars(harness.Now, TimeSpan.FromHours(1), 20);

        Assert.Equal([19, 18, 17, 9, 8, 7], fiveMinutes.Select(e => Convert.FromHexString(e.TraceId!)[15] - 1));
        Assert.Equal([19, 18, 17], hour.Select(e => Convert.FromHexString(e.TraceId!)[15] - 1));
        var values = fiveMinutes[0].Values;
        Assert.Equal(route[..new AttributionOptions().MaxValueLength], values[Array.IndexOf(attribution.Keys, "http.route")]);
        Assert.Equal("pod-19", values[Array.IndexOf(attribution.Keys, "k8s.pod.name")]);
        Assert.Equal("GET /pay", values[Array.IndexOf(attribution.Keys, "span.name")]);
        Assert.Null(values[Array.IndexOf(attribution.Keys, "error.type")]);
        Assert.Equal(("error", 0.04), (fiveMinutes[0].Status, Math.Round(fiveMinutes[0].DurationSeconds, 6)));
        Assert.Equal(harness.Now - TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(9), DateTimeOffset.FromUnixTimeMilliseconds(fiveMinutes[0].UnixMs));
        var top = attribution.Read(harness.Now, TimeSpan.FromMinutes(5)).Keys.Single(k => k.Key == "http.route").Values[0];
        Assert.Equal((route[..new AttributionOptions().MaxValueLength], 20L), (top.Value, top.Bad));
    }

    /// <summary>The spans of the memory benchmark (<c>attribution-memory</c>): ten bad spans a minute, nine keys; in a flood six keys bring new values every minute.</summary>
    private static SpanEvent BenchmarkSpan(EngineHarness harness, int minute, int n, bool flood)
    {
        var end = harness.NanosAgo(TimeSpan.FromMinutes(minute));
        var v = flood ? ((minute * 10) + n).ToString(CultureInfo.InvariantCulture) : null;
        return SpanEvent.Create("checkout", "GET /r3", SpanKind.Server, SpanStatusCode.Error, end - 500_000_000, end,
        [
            new("http.route", "/r3"), new("http.request.method", "GET"), new("http.response.status_code", v ?? (500 + (n % 3)).ToString(CultureInfo.InvariantCulture)),
            new("server.address", "host-" + (v ?? "a")), new("service.version", "1." + (minute / 180).ToString(CultureInfo.InvariantCulture)),
            new("deployment.environment.name", "env-" + (v ?? "prod")), new("cloud.region", "region-" + (v ?? "eu-west-1")),
            new("k8s.pod.name", "pod-" + (v ?? ((minute + n) % 20).ToString(CultureInfo.InvariantCulture))),
            new("error.type", "error-" + (v ?? (n % 3).ToString(CultureInfo.InvariantCulture))),
        ], traceId: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte)n], spanId: [1, 2, 3, 4, 5, 6, 7, (byte)n]);
    }

    /// <summary>Bad spans 30 seconds ago whose six keys each bring a new value of the same length.</summary>
    private static void FloodOneSlice(EngineHarness harness, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var v = i.ToString("D6", CultureInfo.InvariantCulture);
            Spans(harness, TimeSpan.FromSeconds(30), 1, 1, ("http.route", "/route-" + v), ("k8s.pod.name", "pod-" + v), ("server.address", "host-" + v),
                ("error.type", "error-" + v), ("cloud.region", "region-" + v), ("peer.service", "peer-" + v));
        }
    }

    private static SloEngineOptions Exact() => new() { Attribution = { GoodSampleEvery = 1, GoodSamplesPerMinute = 0 } };

    private static SloAttribution Attribution(EngineHarness harness) => harness.Engine.AttributionOf(harness.Engine.Definitions[0].Name)!;

    private static void Spans(EngineHarness harness, TimeSpan ago, int count, int bad, params (string Key, string Value)[] attributes) =>
        harness.Spans("checkout", ago, count, bad, attributes: attributes.Select(a => new KeyValuePair<string, string>(a.Key, a.Value)));

    private static byte[] TraceId(int i) => [0xab, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(i + 1)];
}
