using Microsoft.Extensions.Time.Testing;
using SloMonitor.Histograms.Tests.Support;
using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Windows;

public sealed class SliSeriesWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OneEventAMinuteForThirtyOneDaysGivesExactCountsInEveryListedWindow()
    {
        var clock = new FakeTimeProvider(Start);
        var series = new SliSeries(new SliSeriesOptions());
        long now = 0;
        for (int minute = 0; minute < 31 * 24 * 60; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            Assert.True(series.Record(now, good: minute % 4 == 0 ? 0 : 1, total: 1));
        }

        foreach (var window in ListedWindows.All)
        {
            long minutes = (long)window.TotalMinutes;
            var reading = series.Read(now, window);
            Assert.Equal(minutes + 1, reading.Total);
            Assert.InRange(reading.Good, (minutes + 1) * 3 / 4 - 1, (minutes + 1) * 3 / 4 + 1);
            Assert.Null(reading.Histogram);
        }
    }

    [Fact]
    public void RandomEventsWithLateArrivalsMatchTheModelInEveryWindowAsTimeAdvances()
    {
        var clock = new FakeTimeProvider(Start);
        var series = new SliSeries(new SliSeriesOptions());
        var model = new SeriesModel(SliSeriesOptions.DefaultRetention);
        var random = new Random(11);
        for (int step = 0; step < 6_000; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(4) == 0 ? random.Next(1, 3_600_000) : random.Next(1, 30_000)));
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            long lateness = random.Next(10) switch
            {
                0 => random.NextInt64(0, 35L * 24 * 3_600_000),
                1 or 2 => random.Next(0, 7_200_000),
                _ => random.Next(0, 10_000),
            };
            long time = Math.Max(0, now - lateness);
            long total = random.Next(1, 5);
            long good = random.Next(0, (int)total + 1);
            Assert.Equal(model.Record(time, good, total), series.Record(time, good, total));

            if (step % 25 == 0)
            {
                foreach (var window in ListedWindows.All)
                {
                    var reading = series.Read(now, window);
                    Assert.Equal(model.Expected(now, window), (reading.Good, reading.Total));
                }
            }
        }
    }

    [Fact]
    public void ALateEventCountsInTheSliceOfItsTimestampNotOfItsArrival()
    {
        long now = Start.AddHours(1).ToUnixTimeMilliseconds();
        var series = new SliSeries(new SliSeriesOptions());
        series.Record(now, good: 1, total: 1);
        Assert.True(series.Record(now - (long)TimeSpan.FromMinutes(10).TotalMilliseconds, good: 0, total: 1));

        Assert.Equal(new WindowReading(1, 1, null), series.Read(now, TimeSpan.FromMinutes(5)));
        Assert.Equal(new WindowReading(1, 2, null), series.Read(now, TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void TheWindowStartsAtTheFirstWholeSliceSoItsEdgeErrorIsBelowOneSixtieth()
    {
        long sliceStart = Start.AddHours(1).ToUnixTimeMilliseconds();
        long now = sliceStart + 2_000;
        var series = new SliSeries(new SliSeriesOptions());
        series.Record(now, 1, 1);
        series.Record(now - 299_000, 1, 1); // inside the 5 minutes but in the partial oldest 5 s slice
        series.Record(now - 297_000, 1, 1); // first whole slice

        var reading = series.Read(now, TimeSpan.FromMinutes(5));
        Assert.Equal(2, reading.Total);
        Assert.Equal(3, series.Read(now, TimeSpan.FromMinutes(30)).Total);
    }

    [Fact]
    public void EventsOlderThanTheRetentionAreRefusedAndNotCounted()
    {
        long now = Start.AddDays(40).ToUnixTimeMilliseconds();
        var series = new SliSeries(new SliSeriesOptions(Retention: TimeSpan.FromDays(7)));
        Assert.True(series.Record(now, 1, 1));
        Assert.False(series.Record(now - (long)TimeSpan.FromDays(8).TotalMilliseconds, 1, 1));
        Assert.True(series.Record(now - (long)TimeSpan.FromDays(6).TotalMilliseconds, 0, 1));

        Assert.Equal(new WindowReading(1, 2, null), series.Read(now, TimeSpan.FromDays(7)));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => series.Read(now, TimeSpan.FromDays(8)));
        Assert.Equal("window", error.ParamName);
    }

    [Fact]
    public void WindowsLongerThanFiveMinutesAreReadFromSlicesOfAtMostOneSixtiethOfTheWindow()
    {
        var tiers = SliceTier.ForCounters((long)TimeSpan.FromDays(30).TotalMilliseconds);
        for (long window = 300_000; window <= (long)TimeSpan.FromDays(30).TotalMilliseconds; window += 60_000 + window / 7)
        {
            var tier = tiers[SliceTier.Choose(tiers, window)];
            Assert.True(tier.SpanMs >= window);
            Assert.True(tier.SliceMs * 60 <= window, $"window {window} ms read from {tier.SliceMs} ms slices");
        }
    }

    [Fact]
    public void ListedWindowsReadHistogramsFromSlicesOfAtMostOneTenthOfTheWindow()
    {
        var tiers = SliceTier.ForHistograms((long)TimeSpan.FromDays(30).TotalMilliseconds);
        foreach (var window in ListedWindows.All)
        {
            var tier = tiers[SliceTier.Choose(tiers, (long)window.TotalMilliseconds)];
            Assert.True(tier.SpanMs >= window.TotalMilliseconds);
            Assert.True(tier.SliceMs * 10 <= window.TotalMilliseconds, $"{window} read from {tier.SliceMs} ms slices");
        }
    }

    [Fact]
    public void WindowHistogramsHoldExactlyTheValuesOfTheCoveredSlices()
    {
        var clock = new FakeTimeProvider(Start);
        var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var model = new SeriesModel(SliSeriesOptions.DefaultRetention);
        var random = new Random(12);
        for (int step = 0; step < 4_000; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(random.Next(1, 1_200)));
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            long time = now - (random.Next(8) == 0 ? random.Next(0, 20_000_000) : random.Next(0, 5_000));
            double value = Math.Exp(random.NextDouble() * 10 - 7);
            bool good = value < 0.2;
            Assert.Equal(model.Record(time, good ? 1 : 0, 1, value), series.RecordValue(time, value, good));

            if (step % 200 == 0)
            {
                foreach (var window in ListedWindows.All)
                {
                    var reading = series.Read(now, window);
                    Assert.Equal(model.Expected(now, window), (reading.Good, reading.Total));
                    SnapshotAssert.SameBuckets(model.ExpectedHistogram(now, window, 5), reading.Histogram!);
                }
            }
        }
    }

    [Fact]
    public void ConcurrentWritersWithRandomTimestampsLoseNothingAndMatchASingleThreadedSeries()
    {
        const int threads = 4;
        const int perThread = 50_000;
        long newest = Start.AddHours(3).ToUnixTimeMilliseconds();
        var shared = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var single = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        shared.RecordValue(newest, 0.5, true);
        single.RecordValue(newest, 0.5, true);

        var events = Enumerable.Range(0, threads).Select(t =>
        {
            var random = new Random(100 + t);
            return Enumerable.Range(0, perThread)
                .Select(_ => (Time: newest - random.Next(0, 600_000), Value: Math.Exp(random.NextDouble() * 8 - 6)))
                .ToArray();
        }).ToArray();

        using var start = new Barrier(threads);
        var workers = events.Select(batch => new Thread(() =>
        {
            start.SignalAndWait();
            foreach (var (time, value) in batch)
            {
                shared.RecordValue(time, value, value < 0.1);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        foreach (var (time, value) in events.SelectMany(batch => batch))
        {
            single.RecordValue(time, value, value < 0.1);
        }

        var expected = single.Read(newest, TimeSpan.FromMinutes(30));
        var actual = shared.Read(newest, TimeSpan.FromMinutes(30));
        Assert.Equal(threads * perThread + 1, actual.Total);
        Assert.Equal(expected.Good, actual.Good);
        SnapshotAssert.SameBuckets(expected.Histogram!, actual.Histogram!);
        Assert.Equal(expected.Histogram!.Quantile(0.99), actual.Histogram!.Quantile(0.99));
    }

    [Fact]
    public void InvalidCountsAreRejectedNamingTheField()
    {
        var series = new SliSeries(new SliSeriesOptions());
        Assert.Equal("good", Assert.Throws<ArgumentOutOfRangeException>(() => series.Record(1, 3, 2)).ParamName);
        Assert.Equal("total", Assert.Throws<ArgumentOutOfRangeException>(() => series.Record(1, 0, -1)).ParamName);
        Assert.Equal("unixTimeMs", Assert.Throws<ArgumentOutOfRangeException>(() => series.Record(-1, 0, 1)).ParamName);
        Assert.False(series.RecordValue(1, double.NaN, true));
        Assert.Throws<InvalidOperationException>(() => series.MergeExplicit(1, [1.0], [1, 1]));
    }
}
