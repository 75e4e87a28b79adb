using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Windows;

public sealed class CounterRingTests
{
    [Fact]
    public void ThreadsReachingANewSliceOfAReusedSlotTogetherStartItFromZero()
    {
        const int threads = 4;
        const int rounds = 10_000;
        const int addsPerThread = 10;
        var tier = new SliceTier(1_000, 4);
        var ring = new CounterRing(tier, new ChangeSequence());
        var wrong = new List<string>();

        // Every round writes a slice that maps to slot 0, so the round's first writers race to take the slot over
        // from the previous round's slice; after each round the slot must hold that round's adds and nothing else.
        using var barrier = new Barrier(threads, b =>
        {
            long round = b.CurrentPhaseNumber / 2;
            long slice = round * tier.Slots;
            var sum = ring.Sum(slice, slice);
            if (b.CurrentPhaseNumber % 2 == 1 && sum != (threads * addsPerThread, threads * addsPerThread * 3L))
            {
                wrong.Add($"round {round}: {sum}");
            }
        });
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            for (int round = 0; round < rounds; round++)
            {
                long time = round * tier.Slots * tier.SliceMs;
                barrier.SignalAndWait();
                for (int i = 0; i < addsPerThread; i++)
                {
                    ring.Add(time, time, good: 1, total: 3);
                }

                barrier.SignalAndWait();
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(wrong);
    }
}
