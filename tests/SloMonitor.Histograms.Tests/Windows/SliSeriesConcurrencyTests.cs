using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Windows;

public sealed class SliSeriesConcurrencyTests
{
    private const int Threads = 4;
    private const int Rounds = 120;
    private const int RecordsPerRound = 400;
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly long End = Start + (Rounds * 60_000L);

    [Fact]
    public void ThreadsRecordingValuesIntoOneSeriesGiveTheSameReadingsAsOneThreadInEveryWindow()
    {
        var events = Events();
        var shared = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        RunConcurrently(events, shared, e => Assert.True(shared.RecordValue(e.Time, e.Value, e.Value <= 0.2)));

        var single = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        foreach (var e in events.SelectMany(perThread => perThread.SelectMany(round => round)))
        {
            single.RecordValue(e.Time, e.Value, e.Value <= 0.2);
        }

        Assert.Equal((long)Threads * Rounds * RecordsPerRound, shared.Read(End, TimeSpan.FromDays(1)).Total);
        foreach (var window in ListedWindows.All)
        {
            var expected = single.Read(End, window);
            var actual = shared.Read(End, window);
            Assert.Equal(expected.Good, actual.Good);
            Assert.Equal(expected.Total, actual.Total);
            SnapshotAssert.SameBuckets(expected.Histogram!, actual.Histogram!);
            foreach (double q in new[] { 0.5, 0.9, 0.99 })
            {
                Assert.Equal(expected.Histogram!.Quantile(q), actual.Histogram!.Quantile(q));
            }
        }

        Assert.Equal(single.ToBytes(), shared.ToBytes());
    }

    [Fact]
    public void ThreadsRecordingCountsIntoOneSeriesLoseNoIncrementInAnySliceOrWindow()
    {
        var events = Events();
        var shared = new SliSeries(new SliSeriesOptions());
        RunConcurrently(events, shared, e => Assert.True(shared.Record(e.Time, e.Good, e.Total)));

        var single = new SliSeries(new SliSeriesOptions());
        long total = 0;
        foreach (var e in events.SelectMany(perThread => perThread.SelectMany(round => round)))
        {
            single.Record(e.Time, e.Good, e.Total);
            total += e.Total;
        }

        Assert.Equal(total, shared.Read(End, TimeSpan.FromDays(1)).Total);
        for (long now = Start + 300_000; now <= End; now += 300_000)
        {
            foreach (var window in new[] { TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1) })
            {
                Assert.Equal(single.Read(now, window), shared.Read(now, window));
            }

            Assert.Equal(single.Read(now - 300_000, now), shared.Read(now - 300_000, now));
        }
    }

    [Fact]
    public void RecordingValuesIntoTheSameSliceAllocatesNothing()
    {
        var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var values = Distributions.Generate("latency-range", 10_000, seed: 3);
        foreach (double value in values)
        {
            series.RecordValue(Start, value, value <= 0.2);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (double value in values)
        {
            series.RecordValue(Start + 999, value, value <= 0.2);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(20_000, series.Read(Start + 999, TimeSpan.FromMinutes(5)).Total);
    }

    /// <summary>
    /// Writers advance together round by round (a barrier between rounds), so every event stays within the span of
    /// every tier whichever thread runs ahead; a reader keeps reading while buffers are folded.
    /// </summary>
    private static void RunConcurrently(Event[][][] events, SliSeries series, Action<Event> record)
    {
        using var rounds = new Barrier(Threads);
        int running = Threads;
        Exception? failure = null;
        var writers = Enumerable.Range(0, Threads).Select(t => new Thread(() => Catching(writer: true, () =>
        {
            foreach (var round in events[t])
            {
                rounds.SignalAndWait();
                foreach (var e in round)
                {
                    record(e);
                }
            }

            Interlocked.Decrement(ref running);
        }))).ToList();
        var reader = new Thread(() => Catching(writer: false, () =>
        {
            var everything = default(WindowReading);
            for (int i = 0; i < 100_000 && Volatile.Read(ref running) > 0; i++)
            {
                var reading = series.Read(Math.Max(series.NewestUnixMs, Start), TimeSpan.FromMinutes(5));
                Assert.InRange(reading.Good, 0, reading.Total);

                // Writers only add and every tier keeps every event here, so a reading of the whole run never goes
                // back: a buffer being folded into the tiers is never counted twice, nor missed.
                var whole = series.Read(Start, End + 60_000);
                Assert.InRange(whole.Good, everything.Good, whole.Total);
                Assert.True(whole.Total >= everything.Total, $"total went back from {everything.Total} to {whole.Total}");
                everything = whole;
            }
        }));
        writers.ForEach(w => w.Start());
        reader.Start();
        writers.ForEach(w => w.Join());
        reader.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("a writer or the reader failed", failure);
        }

        // A failed assertion on another thread is kept for the test thread, and the failed writer leaves the
        // barrier so the others finish.
        void Catching(bool writer, Action body)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                if (writer)
                {
                    rounds.RemoveParticipant();
                    Interlocked.Decrement(ref running);
                }
            }
        }
    }

    /// <summary>Per thread, per one-minute round: times within the round, one in ten up to two minutes late.</summary>
    private static Event[][][] Events()
    {
        var events = new Event[Threads][][];
        for (int t = 0; t < Threads; t++)
        {
            var random = new Random(100 + t);
            events[t] = new Event[Rounds][];
            for (int r = 0; r < Rounds; r++)
            {
                events[t][r] = new Event[RecordsPerRound];
                for (int i = 0; i < RecordsPerRound; i++)
                {
                    long time = Start + (r * 60_000L) + random.Next(60_000);
                    if (random.Next(10) == 0)
                    {
                        time = Math.Max(Start, time - random.Next(120_000));
                    }

                    int count = random.Next(1, 4);
                    double value = random.Next(50) == 0 ? 0 : Math.Exp(random.NextDouble() * 8 - 6);
                    events[t][r][i] = new Event(time, value, random.Next(count + 1), count);
                }
            }
        }

        return events;
    }

    private readonly record struct Event(long Time, double Value, long Good, long Total);
}
