using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Metrics;
using static SloMonitor.Ingest.Tests.Support.IngestorUnderTest;

namespace SloMonitor.Ingest.Tests.MetricPoints;

public sealed class CumulativeToDeltaTests
{
    private static readonly SloMonitor.Otlp.Resource.Resource Checkout = Requests.Resource("checkout");

    [Fact]
    public void TheFirstPointOfASeriesThatStartedAfterIngestStartedCountsInFull()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(10));

        Apply(t, Requests.Point(start, t.NowNano, 42));

        Assert.Equal([42.0], Values(t));
    }

    [Fact]
    public void TheFirstPointOfASeriesThatStartedBeforeIngestStartedIsOnlyABaseline()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano - Seconds(3600);

        Apply(t, Requests.Point(start, t.NowNano, 1000));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Apply(t, Requests.Point(start, t.NowNano, 1007));

        Assert.Equal([0.0, 7.0], Values(t));
    }

    [Fact]
    public void ARestartOfTheExportingProcessIsDetectedFromANewStartTimeAndCountsTheNewValueInFull()
    {
        var t = new IngestorUnderTest();
        var firstStart = t.NowNano - Seconds(60);
        Apply(t, Requests.Point(firstStart, t.NowNano, 10));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Apply(t, Requests.Point(firstStart, t.NowNano, 15));

        var secondStart = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Apply(t, Requests.Point(secondStart, t.NowNano, 4));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Apply(t, Requests.Point(secondStart, t.NowNano, 9));

        Assert.Equal([0.0, 5.0, 4.0, 5.0], Values(t));
    }

    [Fact]
    public void ACounterThatGoesDownWithoutAStartTimeIsTreatedAsAReset()
    {
        var t = new IngestorUnderTest();
        foreach (var value in new[] { 10.0, 15, 3, 8 })
        {
            t.Time.Advance(TimeSpan.FromSeconds(10));
            Apply(t, Requests.Point(0, t.NowNano, value));
        }

        Assert.Equal([0.0, 5.0, 3.0, 5.0], Values(t));
    }

    [Fact]
    public void OutOfOrderAndDuplicatePointsContributeNothingSoTheTotalStaysExact()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano - Seconds(60);
        var t1 = t.NowNano - Seconds(30);
        var t2 = t.NowNano - Seconds(20);
        var t3 = t.NowNano - Seconds(10);
        var t4 = t.NowNano;

        Apply(t, Requests.Point(start, t1, 10));
        Apply(t, Requests.Point(start, t3, 20));
        Apply(t, Requests.Point(start, t2, 15)); // late
        Apply(t, Requests.Point(start, t3, 20)); // duplicate
        Apply(t, Requests.Point(start, t4, 26));

        Assert.Equal([0.0, 10.0, 0.0, 0.0, 6.0], Values(t));
        Assert.Equal(16.0, Values(t).Sum());
    }

    [Fact]
    public void APointFromAnEarlierIncarnationArrivingAfterTheRestartContributesNothing()
    {
        var t = new IngestorUnderTest();
        var oldStart = t.NowNano - Seconds(120);
        var newStart = t.NowNano - Seconds(30);
        Apply(t, Requests.Point(newStart, t.NowNano - Seconds(20), 3));
        Apply(t, Requests.Point(oldStart, t.NowNano - Seconds(25), 500));
        Apply(t, Requests.Point(newStart, t.NowNano - Seconds(10), 5));

        Assert.Equal([0.0, 0.0, 2.0], Values(t));
    }

    [Fact]
    public void SeriesAreIdentifiedByResourceScopeNameAndAttributesWhateverTheAttributeOrder()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano - Seconds(60);
        Apply(t, Requests.Point(start, t.NowNano - Seconds(20), 10, Requests.Attr("a", "1"), Requests.Attr("b", "2")));
        Apply(t, Requests.Point(start, t.NowNano - Seconds(20), 100, Requests.Attr("a", "1"), Requests.Attr("b", "3")));
        Apply(t, Requests.Point(start, t.NowNano - Seconds(10), 12, Requests.Attr("b", "2"), Requests.Attr("a", "1")));
        Apply(t, Requests.Point(start, t.NowNano - Seconds(10), 130, Requests.Attr("a", "1"), Requests.Attr("b", "3")));
        Apply(t, Requests.Point(start, t.NowNano - Seconds(10), 7, Requests.Attr("a", "1"), Requests.Attr("b", 2)));

        Assert.Equal([0.0, 0.0, 2.0, 30.0, 0.0], Values(t));
    }

    [Fact]
    public void TheSameSeriesFromAnotherServiceIsAnotherSeries()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(5));
        Apply(t, Requests.Point(start, t.NowNano, 10));
        t.Ingestor.ApplyMetrics(Requests.Metrics(Requests.Resource("payments"), Requests.CumulativeCounter("requests", Requests.Point(start, t.NowNano, 3))));

        Assert.Equal([10.0, 3.0], Values(t));
        Assert.Equal(["checkout", "payments"], t.Sink.Points.Select(p => p.ServiceName));
    }

    [Fact]
    public void CumulativeHistogramsBecomeDeltaBucketCountsAndAResetCountsTheNewPointInFull()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano - Seconds(60);
        double[] bounds = [0.1, 0.5];
        ApplyHistogram(t, Requests.HistogramPoint(start, t.NowNano - Seconds(30), 1.0, bounds, [1, 2, 0]));
        ApplyHistogram(t, Requests.HistogramPoint(start, t.NowNano - Seconds(20), 3.5, bounds, [2, 4, 1]));
        ApplyHistogram(t, Requests.HistogramPoint(0, t.NowNano - Seconds(10), 0.3, bounds, [1, 1, 0]));

        var points = t.Sink.Points.ToArray();
        Assert.Equal(new ulong[] { 0, 0, 0 }, points[0].BucketCounts);
        Assert.Equal(new ulong[] { 1, 2, 1 }, points[1].BucketCounts);
        Assert.Equal(4, points[1].Count);
        Assert.Equal(2.5, points[1].Sum, 9);
        Assert.Equal(new ulong[] { 1, 1, 0 }, points[2].BucketCounts);
        Assert.Equal(2, points[2].Count);
        Assert.Equal(new[] { 0.1, 0.5 }, points[2].ExplicitBounds);
    }

    [Fact]
    public void CumulativeExponentialHistogramsSubtractAcrossALowerScale()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano - Seconds(60);
        ApplyExponential(t, Exponential(start, t.NowNano - Seconds(20), scale: 1, offset: 0, zero: 1, [1, 1, 1, 1]));
        ApplyExponential(t, Exponential(start, t.NowNano - Seconds(10), scale: 0, offset: 0, zero: 2, [3, 2, 4]));

        var delta = t.Sink.Points.ToArray()[1];
        Assert.Equal(MetricPointKind.ExponentialHistogram, delta.Kind);
        Assert.Equal(0, delta.ExponentialScale);
        Assert.Equal(new ulong[] { 1, 0, 4 }, delta.PositiveBucketCounts);
        Assert.Equal(1ul, delta.ZeroCount);
        Assert.Equal(6, delta.Count);
    }

    [Fact]
    public async Task ConcurrentExportsOfOneSeriesInAnyOrderAddUpToItsLatestValueExactly()
    {
        var t = new IngestorUnderTest();
        var start = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromMinutes(10));
        var order = Enumerable.Range(1, 2000).OrderBy(i => (i * 7919) % 2003).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var k = worker; k < order.Length; k += 4)
            {
                var i = order[k];
                Apply(t, Requests.Point(start, start + Seconds(i * 0.1), i));
            }
        })));

        Assert.Equal(2000, t.Sink.Points.Count);
        Assert.Equal(2000.0, t.Sink.Points.Sum(p => p.Value));
        Assert.All(t.Sink.Points, p => Assert.True(p.Value >= 0));
    }

    [Fact]
    public void WhenTheSeriesLimitIsReachedPointsOfNewSeriesAreRejectedNamingTheLimit()
    {
        var t = new IngestorUnderTest(o => o.MaxCumulativeSeries = 2);
        var start = t.NowNano - Seconds(60);
        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, Requests.CumulativeCounter(
            "requests",
            Requests.Point(start, t.NowNano, 1, Requests.Attr("route", "/a")),
            Requests.Point(start, t.NowNano, 1, Requests.Attr("route", "/b")),
            Requests.Point(start, t.NowNano, 1, Requests.Attr("route", "/c")))));

        Assert.Equal(2, result.Accepted);
        Assert.Equal(1, result.Rejected);
        Assert.Contains("MaxCumulativeSeries", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void IdleSeriesAreForgottenWhenRoomIsNeeded()
    {
        var t = new IngestorUnderTest(o =>
        {
            o.MaxCumulativeSeries = 1;
            o.CumulativeSeriesIdleTimeout = TimeSpan.FromMinutes(10);
        });
        var start = t.NowNano - Seconds(60);
        Apply(t, Requests.Point(start, t.NowNano, 1, Requests.Attr("route", "/a")));
        t.Time.Advance(TimeSpan.FromMinutes(11));

        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, Requests.CumulativeCounter("requests", Requests.Point(start, t.NowNano, 5, Requests.Attr("route", "/b")))));

        Assert.Equal(0, result.Rejected);
    }

    private static void Apply(IngestorUnderTest t, NumberDataPoint point)
    {
        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, Requests.CumulativeCounter("requests", point)));
        Assert.True(result.Rejected == 0, result.ErrorMessage);
    }

    private static void ApplyHistogram(IngestorUnderTest t, HistogramDataPoint point)
    {
        var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { point } };
        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, new Metric { Name = "latency", Histogram = histogram }));
        Assert.True(result.Rejected == 0, result.ErrorMessage);
    }

    private static void ApplyExponential(IngestorUnderTest t, ExponentialHistogramDataPoint point)
    {
        var histogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { point } };
        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, new Metric { Name = "latency", ExponentialHistogram = histogram }));
        Assert.True(result.Rejected == 0, result.ErrorMessage);
    }

    private static ExponentialHistogramDataPoint Exponential(long start, long time, int scale, int offset, ulong zero, ulong[] counts) => new()
    {
        StartTimeUnixNano = (ulong)start,
        TimeUnixNano = (ulong)time,
        Scale = scale,
        ZeroCount = zero,
        Count = zero + counts.Aggregate(0ul, (a, b) => a + b),
        Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = offset, BucketCounts = { counts } },
    };

    private static double[] Values(IngestorUnderTest t) => t.Sink.Points.Select(p => p.Value).ToArray();
}
