using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Windows;

/// <summary>
/// Writers recording into slices that are about to fall out of a tier, while newer events take their slots over and
/// readers read windows that touch the edge: no reading may ever show more good events than events.
/// </summary>
public sealed class RetentionEdgeTests
{
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void ReadingsNeverShowGoodAboveTotalWhileSlotsAtTheRetentionEdgeAreHandedOver()
    {
        // 15 s of retention: one tier of four 5-second slots, so every new slice takes over the slot of the oldest.
        var series = new SliSeries(new SliSeriesOptions(Retention: TimeSpan.FromSeconds(15)));
        series.Record(Start, 1, 1);
        var failures = new FailureBox();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        long steps = 0;

        long clockTime = Start;
        var clocks = Enumerable.Range(0, 2).Select(_ => new Thread(() => failures.Run(() =>
        {
            // Every step is the first event of a newer slice: it hands the slot of the oldest slice over. Two clocks
            // share the steps, so one often finds the write stripe busy and writes into the tiers itself.
            while (!stop.IsCancellationRequested)
            {
                long time = Interlocked.Add(ref clockTime, 5_000);
                series.Record(time, 1, 1);
                series.Record(time + 1, 1, 1);
                Interlocked.Increment(ref steps);
            }
        }))).ToList();
        var edgeWriters = Enumerable.Range(0, 2).Select(seed => new Thread(() => failures.Run(() =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                // Into the oldest slice still kept: the one whose slot the next step takes over. Every event is good,
                // so any count of the expired slice left behind half-removed shows as good above total.
                long head = series.NewestUnixMs;
                long oldest = Math.Max(head - 15_000, ((head / 5_000) - 3) * 5_000);
                series.Record(oldest + random.Next(200), good: 1, total: 1);
                series.Record(oldest + random.Next(200), good: 2, total: 2);
            }
        }))).ToList();
        var reader = new Thread(() => failures.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                long head = series.NewestUnixMs;
                foreach (var reading in new[]
                {
                    series.Read(head, TimeSpan.FromSeconds(15)),
                    series.Read(head, TimeSpan.FromSeconds(10)),
                    series.Read(head - 14_000, head - 9_000),
                })
                {
                    if (reading.Good > reading.Total || reading.Good < 0)
                    {
                        throw new InvalidOperationException($"a reading at {head} showed good {reading.Good} of total {reading.Total}");
                    }
                }
            }
        }));

        var threads = edgeWriters.Concat(clocks).Append(reader).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        failures.ThrowIfAny();
        Assert.True(steps > 1_000, $"only {steps} slot hand-overs were raced");
        var last = series.Read(series.NewestUnixMs, TimeSpan.FromSeconds(15));
        Assert.InRange(last.Good, 0, last.Total);
    }

    [Fact]
    public void SlotsHandedOverWhileWritersAddToTheExpiringSliceNeverHoldMoreGoodThanTotal()
    {
        var tier = new SliceTier(1_000, 4);
        var ring = new CounterRing(tier, new ChangeSequence());
        var failures = new FailureBox();
        long head = 0;
        long slices = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var claimer = new Thread(() => failures.Run(() =>
        {
            for (long slice = 1; !stop.IsCancellationRequested; slice++)
            {
                long time = slice * tier.SliceMs;
                Volatile.Write(ref head, time);
                ring.Add(time, time, good: 0, total: 0);
                slices++;

                // The slice just handed over holds nothing of its own, and at most events of the expired slice
                // whose adds were in flight: whole events, never good without its total.
                var (good, total) = ring.Sum(slice, slice);
                if (good > total || good < 0)
                {
                    throw new InvalidOperationException($"slice {slice} holds good {good} of total {total}");
                }
            }
        }));
        var writers = Enumerable.Range(0, 2).Select(_ => new Thread(() => failures.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                long now = Volatile.Read(ref head);
                long expiring = now - ((tier.Slots - 1) * tier.SliceMs);
                ring.Add(Math.Max(0, expiring), now, good: 1, total: 1);
            }
        }))).ToList();
        var reader = new Thread(() => failures.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                long last = Volatile.Read(ref head) / tier.SliceMs;
                var (good, total) = ring.Sum(last - tier.Slots + 1, last);
                if (good > total || good < 0)
                {
                    throw new InvalidOperationException($"slices up to {last} hold good {good} of total {total}");
                }
            }
        }));
        var threads = writers.Append(claimer).Append(reader).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        failures.ThrowIfAny();
        Assert.True(slices > 1_000, $"only {slices} slot hand-overs were raced");
    }

    /// <summary>Keeps the first failure of any thread for the test thread, and stops nothing else.</summary>
    private sealed class FailureBox
    {
        private Exception? _failure;

        public void Run(Action body)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
        }

        public void ThrowIfAny()
        {
            if (_failure is { } failure)
            {
                throw new InvalidOperationException("a writer or reader failed", failure);
            }
        }
    }
}
