using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Windows;

/// <summary>Sums of long windows, which remember their settled part between readings, against slot-by-slot sums.</summary>
public sealed class CounterRingSumTests
{
    private static readonly SliceTier Tier = new(1_000, 200);

    [Fact]
    public void LongWindowsReadAgainAsTheHeadMovesAndLateEventsLandMatchASumOfEverySlice()
    {
        var random = new Random(11);
        var ring = new CounterRing(Tier, new ChangeSequence());
        var expected = new Dictionary<long, (long Good, long Total)>();
        long head = 0;
        int checkedReadings = 0;
        for (int step = 0; step < 20_000; step++)
        {
            // Mostly events at the head, some late ones (into settled slices), now and then the head moves on.
            head += random.Next(10) == 0 ? random.Next(1, 4) : 0;
            long slice = random.Next(5) == 0 ? head - random.Next(0, Tier.Slots - 1) : head;
            if (slice >= 0 && ring.Add(slice * Tier.SliceMs, head * Tier.SliceMs, good: 2, total: 3))
            {
                var (good, total) = expected.GetValueOrDefault(slice);
                expected[slice] = (good + 2, total + 3);
            }

            foreach (var length in new[] { 40, 120, 199 })
            {
                var reading = ring.Sum(head - length, head);
                Assert.Equal(Reference(expected, head - length, head), reading);
                checkedReadings++;
            }
        }

        Assert.Equal(60_000, checkedReadings);
    }

    [Fact]
    public void ARestoredSliceInsideARememberedWindowIsCounted()
    {
        var ring = new CounterRing(Tier, new ChangeSequence());
        for (long slice = 0; slice <= 100; slice += 2)
        {
            ring.Add(slice * Tier.SliceMs, 100 * Tier.SliceMs, good: 1, total: 1);
        }

        Assert.Equal((51L, 51L), ring.Sum(0, 100));
        Assert.True(ring.Restore(51, good: 5, total: 9));
        Assert.Equal((56L, 60L), ring.Sum(0, 100));
    }

    [Fact]
    public void LateEventsWrittenWhileAnotherThreadReadsAreAllInTheReadingAfterwards()
    {
        var ring = new CounterRing(Tier, new ChangeSequence());
        const long head = 150;
        ring.Add(head * Tier.SliceMs, head * Tier.SliceMs, good: 1, total: 1);
        const int writers = 3;
        const int adds = 20_000;
        using var done = new CancellationTokenSource();
        var reader = new Thread(() =>
        {
            while (!done.IsCancellationRequested)
            {
                ring.Sum(head - 120, head);
            }
        });
        reader.Start();
        var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            for (int i = 0; i < adds; i++)
            {
                long slice = head - 2 - ((i * 7 + w) % 100); // settled slices only
                ring.Add(slice * Tier.SliceMs, head * Tier.SliceMs, good: 1, total: 2);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        done.Cancel();
        reader.Join();

        Assert.Equal((1L + (writers * adds), 1L + (2L * writers * adds)), ring.Sum(head - 120, head));
    }

    private static (long Good, long Total) Reference(Dictionary<long, (long Good, long Total)> slices, long from, long to)
    {
        long good = 0;
        long total = 0;
        foreach (var (slice, counts) in slices)
        {
            // The ring keeps the newest Slots slices, as a reading of it does.
            if (slice >= from && slice <= to && slice > to - Tier.Slots)
            {
                good += counts.Good;
                total += counts.Total;
            }
        }

        return (good, total);
    }
}
