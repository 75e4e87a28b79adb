using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Metrics;
using static SloMonitor.Ingest.Tests.Support.IngestorUnderTest;

namespace SloMonitor.Ingest.Tests.MetricPoints;

/// <summary>Unusable data points are rejected through partial success, naming the first problem; the rest is applied.</summary>
public sealed class MetricPointValidationTests
{
    [Fact]
    public void GaugesAndDeltaSumsPassThroughWithTheirOwnTimesAndAttributes()
    {
        var t = new IngestorUnderTest();
        var time = t.NowNano - Seconds(5);
        var gauge = new Metric { Name = "queue.depth", Gauge = new Gauge { DataPoints = { Requests.Point(0, time, 12.5, Requests.Attr("route", "/orders")) } } };
        var sum = new Metric
        {
            Name = "requests",
            Sum = new Sum { AggregationTemporality = AggregationTemporality.Delta, IsMonotonic = true, DataPoints = { new NumberDataPoint { TimeUnixNano = (ulong)time, AsInt = 3 } } },
        };

        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Requests.Resource("checkout", Requests.Attr("tier", "gold")), gauge, sum));

        Assert.Equal(new ApplyResult(2, 0, null), result);
        var points = t.Sink.Points.ToArray();
        Assert.Equal((MetricPointKind.Gauge, 12.5, time, "gold"), (points[0].Kind, points[0].Value, points[0].TimeUnixNano, points[0].Attributes["tier"]));
        Assert.Equal("/orders", points[0].Attributes["route"]);
        Assert.Equal((MetricPointKind.Sum, 3.0, true), (points[1].Kind, points[1].Value, points[1].IsMonotonic));
        Assert.Equal("checkout", points[1].Attributes["service.name"]);
    }

    public static TheoryData<string> Problems() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Problems))]
    public void AnUnusablePointIsRejectedNamingItsProblemWhileTheOthersAreApplied(string problem)
    {
        var t = new IngestorUnderTest();
        var (bad, message) = Cases[problem](t);
        var good = new Metric { Name = "ok", Gauge = new Gauge { DataPoints = { Requests.Point(0, t.NowNano, 1) } } };

        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Requests.Resource("checkout"), bad, good));

        Assert.Equal(1, result.Accepted);
        Assert.Equal(1, result.Rejected);
        Assert.Contains(message, result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(["ok"], t.Sink.Points.Select(p => p.MetricName));
    }

    [Fact]
    public void PointsOfAResourceWithoutServiceNameAreRejected()
    {
        var t = new IngestorUnderTest();
        var metric = new Metric { Name = "queue.depth", Gauge = new Gauge { DataPoints = { Requests.Point(0, t.NowNano, 1), Requests.Point(0, t.NowNano, 2) } } };

        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Requests.Resource(null), metric));

        Assert.Equal(2, result.Rejected);
        Assert.Contains("service.name", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(t.Sink.Points);
    }

    private static readonly Dictionary<string, Func<IngestorUnderTest, (Metric Metric, string Message)>> Cases = new()
    {
        ["summary"] = t => (new Metric { Name = "s", Summary = new Summary { DataPoints = { new SummaryDataPoint { TimeUnixNano = (ulong)t.NowNano, Count = 1 } } } }, "Summary data points are not supported"),
        ["NaN gauge"] = t => (Gauge(Requests.Point(0, t.NowNano, double.NaN)), "value is NaN"),
        ["no value"] = t => (Gauge(new NumberDataPoint { TimeUnixNano = (ulong)t.NowNano }), "has no value"),
        ["negative monotonic delta"] = t => (new Metric
        {
            Name = "m",
            Sum = new Sum { AggregationTemporality = AggregationTemporality.Delta, IsMonotonic = true, DataPoints = { Requests.Point(0, t.NowNano, -1) } },
        }, "negative value"),
        ["unspecified temporality"] = t => (new Metric { Name = "m", Sum = new Sum { DataPoints = { Requests.Point(0, t.NowNano, 1) } } }, "aggregation_temporality is unspecified"),
        ["too old"] = t => (Gauge(Requests.Point(0, t.NowNano - (long)TimeSpan.FromDays(31).TotalNanoseconds, 1)), "older than the maximum event age"),
        ["too far ahead"] = t => (Gauge(Requests.Point(0, t.NowNano + Seconds(301), 1)), "ahead of the server clock"),
        ["missing time"] = t => (Gauge(Requests.Point(0, 0, 1)), "time_unix_nano is missing"),
        ["no recorded value"] = t => (Gauge(new NumberDataPoint { TimeUnixNano = (ulong)t.NowNano, AsDouble = 1, Flags = 1 }), "no recorded value"),
        ["bucket count mismatch"] = t => (DeltaHistogram(new HistogramDataPoint { TimeUnixNano = (ulong)t.NowNano, Count = 1, ExplicitBounds = { 1, 2 }, BucketCounts = { 1, 0 } }), "expected 3"),
        ["buckets do not add up"] = t => (DeltaHistogram(new HistogramDataPoint { TimeUnixNano = (ulong)t.NowNano, Count = 5, ExplicitBounds = { 1 }, BucketCounts = { 1, 1 } }), "add up to 2 but count is 5"),
        ["NaN histogram sum"] = t => (DeltaHistogram(new HistogramDataPoint { TimeUnixNano = (ulong)t.NowNano, Count = 1, Sum = double.NaN, ExplicitBounds = { 1 }, BucketCounts = { 1, 0 } }), "sum is NaN"),
        ["unsorted bounds"] = t => (DeltaHistogram(new HistogramDataPoint { TimeUnixNano = (ulong)t.NowNano, Count = 1, ExplicitBounds = { 2, 1 }, BucketCounts = { 1, 0, 0 } }), "strictly increasing"),
        ["exponential scale out of range"] = t => (new Metric
        {
            Name = "e",
            ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Delta, DataPoints = { new ExponentialHistogramDataPoint { TimeUnixNano = (ulong)t.NowNano, Scale = 21 } } },
        }, "scale 21"),
        ["too many attributes"] = t => (Gauge(Requests.Point(0, t.NowNano, 1, Enumerable.Range(0, 129).Select(i => Requests.Attr("k" + i, "v")).ToArray())), "more than the limit 128"),
    };

    private static Metric Gauge(NumberDataPoint point) => new() { Name = "g", Gauge = new Gauge { DataPoints = { point } } };

    private static Metric DeltaHistogram(HistogramDataPoint point) =>
        new() { Name = "h", Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Delta, DataPoints = { point } } };
}
