using System.Collections.Concurrent;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Ingest;

namespace SloMonitor.Cluster.Tests.Deltas;

public sealed class DeltaRecorderTests
{
    [Fact]
    public void FlushedDeltasAddUpToExactlyWhatConcurrentWritersRecordedWhileTheFlusherFlips()
    {
        var harness = new ClusterHarness();
        var recorder = new DeltaRecorder(harness.Engine());
        var reference = harness.Engine();
        const int writers = 4;
        const int perWriter = 30_000;
        var flushed = new ConcurrentQueue<SloDelta>();
        long flips = 0;
        long bad = 0;
        var running = writers;
        var flusher = new Thread(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                foreach (var delta in recorder.Flush())
                {
                    flushed.Enqueue(delta);
                }

                Interlocked.Increment(ref flips);
            }
        });
        var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var span = harness.Span((long)w * perWriter + i);
                recorder.OnSpan(span);
                reference.OnSpan(span);
                if (span.StatusCode == SpanStatusCode.Error)
                {
                    Interlocked.Increment(ref bad);
                }

                if (i % 1_000 == 999)
                {
                    // Let the flusher flip at least once per thousand spans of each writer, so flips land mid-stream.
                    var seen = Volatile.Read(ref flips);
                    SpinWait.SpinUntil(() => Volatile.Read(ref flips) > seen + 1);
                }
            }

            Interlocked.Decrement(ref running);
        })).ToList();

        flusher.Start();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        flusher.Join();
        foreach (var delta in recorder.Flush())
        {
            flushed.Enqueue(delta);
        }

        var owner = harness.Engine();
        ClusterHarness.MergeInto(owner, flushed);

        Assert.True(Volatile.Read(ref flips) >= perWriter / 1_000, $"only {flips} flips");
        Assert.True(flushed.Count > 2 * (perWriter / 1_000), $"only {flushed.Count} deltas");
        foreach (var slo in ClusterHarness.Slos)
        {
            Assert.Equal(harness.Fingerprint(reference, slo), harness.Fingerprint(owner, slo));
        }

        Assert.True(owner.Index.TryGet(ClusterHarness.Availability, out var availability));
        var now = harness.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var reading = availability.Tracks.Overall.ReadRolling(now, TimeSpan.FromHours(1), withLatency: false);
        Assert.Equal(writers * perWriter, reading.Total);
        Assert.Equal(writers * perWriter - Interlocked.Read(ref bad), reading.Good);
    }

    [Fact]
    public void AFlushWithNothingRecordedSinceHandsOverNothing()
    {
        var harness = new ClusterHarness();
        var recorder = new DeltaRecorder(harness.Engine());
        recorder.OnSpan(harness.Span(1));

        Assert.Equal(2, recorder.Flush().Count);
        Assert.Empty(recorder.Flush());
        Assert.Empty(recorder.Flush());
    }

    [Fact]
    public void EachDeltaHoldsOnlyWhatWasRecordedSinceThePreviousFlush()
    {
        var harness = new ClusterHarness();
        var recorder = new DeltaRecorder(harness.Engine());
        var owner = harness.Engine();
        var reference = harness.Engine();
        for (var round = 0; round < 5; round++)
        {
            for (var n = round * 100; n < (round + 1) * 100; n++)
            {
                recorder.OnSpan(harness.Span(n));
                reference.OnSpan(harness.Span(n));
            }

            ClusterHarness.MergeInto(owner, recorder.Flush());
            foreach (var slo in ClusterHarness.Slos)
            {
                Assert.Equal(harness.Fingerprint(reference, slo), harness.Fingerprint(owner, slo));
            }
        }
    }

    [Fact]
    public void RecordingIntoADeltaAllocatesNothingOnceItsTracksExist()
    {
        var harness = new ClusterHarness();
        var recorder = new DeltaRecorder(harness.Engine());

        // Spans of the current 30-second period, as live traffic is: they go into the write buffers, which a delta keeps when emptied.
        var spans = Enumerable.Range(0, 3_000).Select(n => harness.Span(n, spreadSeconds: 20)).ToArray();
        for (var cycle = 0; cycle < 2; cycle++)
        {
            // Both delta sets get their groups and write buffers.
            foreach (var span in spans)
            {
                recorder.OnSpan(span);
            }

            recorder.Flush();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var span in spans)
        {
            recorder.OnSpan(span);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
