using System.Collections.Concurrent;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Otlp;

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
    public void OnASingleInstanceOneMatchRecordsExactlyIntoBothTheEngineAndTheDeltas()
    {
        var harness = new ClusterHarness();
        var local = harness.Engine();
        var recorder = new DeltaRecorder(local, alsoLocal: true);
        var reference = harness.Engine();
        var owner = harness.Engine();
        for (var round = 0; round < 3; round++)
        {
            for (var n = round * 500; n < (round + 1) * 500; n++)
            {
                recorder.OnSpan(harness.Span(n));
                reference.OnSpan(harness.Span(n));
            }

            ClusterHarness.MergeInto(owner, recorder.Flush());
        }

        // The engine's own series (overall and every group) and the owner's, built from the deltas alone, are both
        // exactly one engine's given the same spans.
        foreach (var slo in ClusterHarness.Slos)
        {
            Assert.Equal(harness.Fingerprint(reference, slo), harness.Fingerprint(local, slo));
            Assert.Equal(harness.Fingerprint(reference, slo), harness.Fingerprint(owner, slo));
        }
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
    public void MetricPointsRecordedIntoDeltasAddUpToWhatOneEngineCounts()
    {
        const string yaml = """
            slos:
              - name: pay-retries
                service: checkout
                objective: 99
                window: 30d
                sli:
                  kind: ratio
                  bad: 'http.client.retries'
                  total: 'rpc.calls'
              - name: pay-duration
                service: checkout
                objective: 99
                window: 30d
                sli:
                  kind: latency
                  source: metrics
                  metric: 'http.server.request.duration'
                  threshold: 300ms
            """;
        var harness = new ClusterHarness();
        var recorder = new DeltaRecorder(harness.Engine(yaml));
        var reference = harness.Engine(yaml);
        var owner = harness.Engine(yaml);
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 50; i++)
            {
                var at = (harness.Time.GetUtcNow() - TimeSpan.FromSeconds(1 + ((round * 50) + i) % 900)).ToUnixTimeMilliseconds() * 1_000_000;
                MetricPointEvent[] points =
                [
                    MetricPointEvent.ForSum("checkout", "rpc.calls", at, 100 + i),
                    MetricPointEvent.ForSum("checkout", "http.client.retries", at, i % 4),
                    MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", at, 60, 9.5, [0.1, 0.3, 1], [(ulong)(30 - (i % 3)), 20, 8, (ulong)(2 + (i % 3))]),
                ];
                foreach (var point in points)
                {
                    recorder.OnMetricPoint(point);
                    reference.OnMetricPoint(point);
                }
            }

            ClusterHarness.MergeInto(owner, recorder.Flush());
        }

        foreach (var slo in new[] { "pay-retries", "pay-duration" })
        {
            Assert.Equal(harness.Fingerprint(reference, slo), harness.Fingerprint(owner, slo));
        }

        // 200 calls of 100 + i over four rounds, 292 of them retried; 200 histograms of 60 requests.
        Assert.StartsWith("[] good=24608 total=24900 ", harness.Fingerprint(owner, "pay-retries"), StringComparison.Ordinal);
        Assert.Contains(" total=12000 ", harness.Fingerprint(owner, "pay-duration"), StringComparison.Ordinal);
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
