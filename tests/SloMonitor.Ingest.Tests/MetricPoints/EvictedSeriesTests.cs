using System.Net;
using Microsoft.Extensions.Time.Testing;
using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Ingest.Tests.Transport;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Metrics;
using static SloMonitor.Ingest.Tests.Support.IngestorUnderTest;

namespace SloMonitor.Ingest.Tests.MetricPoints;

/// <summary>
/// A cumulative series evicted from the delta table (it was idle and room was needed) and seen again must not count
/// its whole life a second time: it restarts from a baseline unless its start time proves that it restarted.
/// </summary>
[Collection(IngestMetricsCollection.Name)]
public sealed class EvictedSeriesTests
{
    private static readonly SloMonitor.Otlp.Resource.Resource Checkout = Requests.Resource("checkout");

    [Fact]
    public void AnEvictedSeriesComingBackWithTheSameStartTimeAddsNothingForItsFirstPointAndExactDeltasAfter()
    {
        var t = OneSeriesTable();
        var start = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(100.0, Apply(t, "/a", start, 100));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(20.0, Apply(t, "/a", start, 120));

        EvictByAnotherSeries(t, "/a");

        Assert.Equal(0.0, Apply(t, "/a", start, 150));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(5.0, Apply(t, "/a", start, 155));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(12.0, Apply(t, "/a", start, 167));
    }

    [Fact]
    public void AnEvictedSeriesThatRestartedCountsFromItsNewStartTime()
    {
        var t = OneSeriesTable();
        var start = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Apply(t, "/a", start, 100);

        EvictByAnotherSeries(t, "/a");
        var restart = t.NowNano - Seconds(5);

        Assert.Equal(7.0, Apply(t, "/a", restart, 7));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3.0, Apply(t, "/a", restart, 10));
    }

    [Fact]
    public void APointOfTheEarlierIncarnationOfAReturningSeriesChangesNothing()
    {
        var t = OneSeriesTable();
        var oldStart = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(10));
        var restart = t.NowNano - Seconds(2);
        Apply(t, "/a", restart, 40);

        EvictByAnotherSeries(t, "/a");

        Assert.Equal(0.0, Apply(t, "/a", oldStart, 900));
        Assert.Equal(0.0, Apply(t, "/a", restart, 50));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4.0, Apply(t, "/a", restart, 54));
    }

    [Fact]
    public void AnEvictedHistogramComingBackWithTheSameStartTimeAddsNoBucketsForItsFirstPoint()
    {
        var t = OneSeriesTable();
        var start = t.NowNano + Seconds(1);
        double[] bounds = [0.1, 0.5];
        t.Time.Advance(TimeSpan.FromSeconds(10));
        ApplyHistogram(t, Requests.HistogramPoint(start, t.NowNano, 1.0, bounds, [3, 1, 0]));

        EvictByAnotherSeries(t, "/a");
        ApplyHistogram(t, Requests.HistogramPoint(start, t.NowNano, 2.0, bounds, [5, 2, 1]));
        t.Time.Advance(TimeSpan.FromSeconds(10));
        ApplyHistogram(t, Requests.HistogramPoint(start, t.NowNano, 2.5, bounds, [6, 2, 1]));

        var points = t.Sink.Points.Where(p => p.Kind == MetricPointKind.Histogram).ToArray();
        Assert.Equal([4L, 0L, 1L], points.Select(p => p.Count));
        Assert.Equal(new ulong[] { 0, 0, 0 }, points[1].BucketCounts);
        Assert.Equal(new ulong[] { 1, 0, 0 }, points[2].BucketCounts);
    }

    [Fact]
    public void WhenMoreSeriesAreEvictedThanRememberedAForgottenSeriesComingBackStillStartsFromABaseline()
    {
        var t = new IngestorUnderTest(o =>
        {
            o.MaxCumulativeSeries = 1;
            o.MaxEvictedCumulativeSeries = 1;
            o.CumulativeSeriesIdleTimeout = TimeSpan.FromMinutes(1);
        });
        var start = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(10.0, Apply(t, "/a", start, 10));
        t.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(20.0, Apply(t, "/b", start, 20));
        t.Time.Advance(TimeSpan.FromMinutes(2));
        // /a was forgotten to remember /b: /c, which started before /a was evicted, could be /a.
        Assert.Equal(0.0, Apply(t, "/c", start, 30));
        t.Time.Advance(TimeSpan.FromMinutes(2));

        // Forgotten series do not count their life again.
        Assert.Equal(0.0, Apply(t, "/a", start, 11));
        t.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0.0, Apply(t, "/b", start, 21));

        // A series that started after the last eviction cannot be one that was forgotten.
        var later = t.NowNano + Seconds(1);
        t.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(9.0, Apply(t, "/d", later, 9));
    }

    [Fact]
    public void WhatIsRememberedOfEvictedSeriesIsBoundedByItsLimit()
    {
        var t = new IngestorUnderTest(o =>
        {
            o.MaxCumulativeSeries = 1;
            o.MaxEvictedCumulativeSeries = 3;
            o.CumulativeSeriesIdleTimeout = TimeSpan.FromMinutes(1);
        });
        var start = t.NowNano - Seconds(60);
        for (var i = 0; i < 10; i++)
        {
            Apply(t, "/" + i, start, i);
            t.Time.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.Equal(3, t.Ingestor.Cumulative.EvictedCount);
        Assert.Equal(1, t.Ingestor.Cumulative.Count);
    }

    [Fact]
    public async Task ReturningSeriesAreCountedOnMetricsByOutcome()
    {
        var time = new FakeTimeProvider(Started);
        await using var host = await IngestHost.StartAsync(
            o =>
            {
                o.MaxCumulativeSeries = 1;
                o.CumulativeSeriesIdleTimeout = TimeSpan.FromMinutes(1);
            },
            time);
        using var client = host.CreateHttpClient();
        var before = await MetricsText(client);
        var start = Requests.UnixNano(time.GetUtcNow()) + Seconds(1);

        async Task Post(string route, long seriesStart, double value)
        {
            time.Advance(TimeSpan.FromMinutes(2));
            var request = Requests.Metrics(Checkout, Requests.CumulativeCounter(
                "requests", Requests.Point(seriesStart, Requests.UnixNano(time.GetUtcNow()), value, Requests.Attr("route", route))));
            using var response = await client.PostAsync("/v1/metrics", Payloads.Content(Google.Protobuf.MessageExtensions.ToByteArray(request), "application/x-protobuf"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Post("/a", start, 1);
        await Post("/b", start, 1);
        await Post("/a", start, 2);
        await Post("/b", Requests.UnixNano(time.GetUtcNow()) + Seconds(1), 3);

        var after = await MetricsText(client);
        Assert.Equal(1, Sample(after, "slomon_ingest_cumulative_series_returned_total{outcome=\"baseline\"}") - Sample(before, "slomon_ingest_cumulative_series_returned_total{outcome=\"baseline\"}"));
        Assert.Equal(1, Sample(after, "slomon_ingest_cumulative_series_returned_total{outcome=\"restarted\"}") - Sample(before, "slomon_ingest_cumulative_series_returned_total{outcome=\"restarted\"}"));
        Assert.Equal(3, Sample(after, "slomon_ingest_cumulative_series_evicted_total") - Sample(before, "slomon_ingest_cumulative_series_evicted_total"));
        Assert.Contains("# TYPE slomon_ingest_cumulative_series_evicted_remembered gauge", after, StringComparison.Ordinal);
        Assert.True(Sample(after, "slomon_ingest_cumulative_series") >= 1, "the series this test's table holds is counted"); // other tests' tables count too
        Assert.Equal([1.0, 1.0, 0.0, 3.0], host.Sink.Points.Select(p => p.Value));
    }

    private static IngestorUnderTest OneSeriesTable() => new(o =>
    {
        o.MaxCumulativeSeries = 1;
        o.CumulativeSeriesIdleTimeout = TimeSpan.FromMinutes(1);
    });

    // The table holds one series: another one arriving after the idle timeout evicts it, and the series arriving
    // again after another idle timeout evicts the other one in turn.
    private static void EvictByAnotherSeries(IngestorUnderTest t, string route)
    {
        t.Time.Advance(TimeSpan.FromMinutes(2));
        var evictions = IngestMetrics.EvictedSeries.Value;
        Apply(t, route + "-other", t.NowNano - Seconds(3600), 1);
        Assert.Equal(1, IngestMetrics.EvictedSeries.Value - evictions);
        t.Time.Advance(TimeSpan.FromMinutes(2));
    }

    private static double Apply(IngestorUnderTest t, string route, long start, double value)
    {
        var count = t.Sink.Points.Count;
        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, Requests.CumulativeCounter("requests", Requests.Point(start, t.NowNano, value, Requests.Attr("route", route)))));
        Assert.True(result.Rejected == 0, result.ErrorMessage);
        return t.Sink.Points.ToArray()[count].Value;
    }

    private static void ApplyHistogram(IngestorUnderTest t, HistogramDataPoint point)
    {
        point.Attributes.Add(Requests.Attr("route", "/a"));
        var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { point } };
        var result = t.Ingestor.ApplyMetrics(Requests.Metrics(Checkout, new Metric { Name = "requests", Histogram = histogram }));
        Assert.True(result.Rejected == 0, result.ErrorMessage);
    }

    private static async Task<string> MetricsText(HttpClient client) => await client.GetStringAsync("/metrics");

    private static double Sample(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
