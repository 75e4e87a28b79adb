using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class ConcurrencyStressTests
{
    private const int Threads = 8;
    private const int RecordsPerThread = 200_000;

    [Fact]
    public void ManyThreadsRecordingIntoOneHistogramLoseNoIncrementAndMatchASingleThreadedRun()
    {
        var values = new double[Threads][];
        for (int t = 0; t < Threads; t++)
        {
            var random = new Random(t);
            values[t] = new double[RecordsPerThread];
            for (int i = 0; i < RecordsPerThread; i++)
            {
                values[t][i] = random.Next(20) == 0 ? 0 : Math.Exp(random.NextDouble() * 30 - 15);
            }
        }

        var shared = new ExponentialHistogram();
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            foreach (double value in values[t])
            {
                shared.Record(value);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        var single = new ExponentialHistogram();
        foreach (var perThread in values)
        {
            foreach (double value in perThread)
            {
                single.Record(value);
            }
        }

        var snapshot = shared.Snapshot();
        Assert.Equal((long)Threads * RecordsPerThread, snapshot.Count);
        SnapshotAssert.SameBuckets(single.Snapshot(), snapshot);
        foreach (double q in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            Assert.Equal(single.Snapshot().Quantile(q), snapshot.Quantile(q));
        }
    }
}
