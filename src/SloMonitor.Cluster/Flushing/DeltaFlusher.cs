using Microsoft.Extensions.Logging;
using Orleans;
using Prometheus;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Owners;

namespace SloMonitor.Cluster.Flushing;

/// <summary>
/// Sends what this instance recorded to the SLOs' owners: at each <see cref="FlushAsync"/>, one call per owner grain
/// with this instance's delta for it, never a call per event. Each batch carries a sequence per (instance, owner); a
/// batch that fails stays queued and is sent again, with the same sequence, before newer ones at the next flush, so
/// an owner that applied it already (the answer was lost) ignores it. An owner unreachable for longer than
/// <see cref="MaxQueuedPerOwner"/> flushes loses its oldest batches, counted in <see cref="DroppedBatches"/>.
/// </summary>
public sealed class DeltaFlusher : IDisposable
{
    /// <summary>Batches kept per owner while it does not answer (ten minutes at the default interval).</summary>
    public const int MaxQueuedPerOwner = 600;

    private static readonly Counter Batches = Metrics.CreateCounter(
        "slomon_cluster_delta_batches_total", "Delta batches of this instance by outcome: sent (the owner answered), failed (kept to send again), dropped (given up).", "outcome");
    private static readonly Counter Bytes = Metrics.CreateCounter("slomon_cluster_delta_bytes_total", "Bytes of the delta batches the owners answered.");
    private static readonly Gauge Queued = Metrics.CreateGauge("slomon_cluster_delta_queued_batches", "Delta batches waiting for their owner after the last flush.");
    private static readonly Histogram FlushDuration = Metrics.CreateHistogram(
        "slomon_cluster_flush_duration_seconds", "Time one flush takes: the deltas collected, serialized and sent to every owner.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    private readonly ClusterRecorder _recorder;
    private readonly IGrainFactory _grains;
    private readonly ILogger<DeltaFlusher> _logger;
    private readonly Dictionary<string, Owner> _owners = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private long _dropped;
    private int _queued;

    public DeltaFlusher(ClusterRecorder recorder, IGrainFactory grains, ILogger<DeltaFlusher> logger, string? instanceId = null)
    {
        _recorder = recorder;
        _grains = grains;
        _logger = logger;
        InstanceId = instanceId ?? Guid.NewGuid().ToString("N");
    }

    /// <summary>This instance's id in its batches: new at each start, so sequences start again safely.</summary>
    public string InstanceId { get; }

    /// <summary>Batches given up because their owner did not answer for <see cref="MaxQueuedPerOwner"/> flushes.</summary>
    public long DroppedBatches => Interlocked.Read(ref _dropped);

    /// <summary>Batches waiting to be sent again after the last flush (their owner did not answer).</summary>
    public int QueuedBatches => Volatile.Read(ref _queued);

    /// <summary>Takes every tenant's deltas and sends them, one call per owner (owners in parallel); returns the batches applied.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        using var timer = FlushDuration.NewTimer();
        try
        {
            foreach (var (tenant, delta) in _recorder.Flush())
            {
                var key = SloOwnerKey.Of(tenant, delta.Slo);
                if (!_owners.TryGetValue(key, out var owner))
                {
                    _owners[key] = owner = new Owner(_grains.GetGrain<ISloOwnerGrain>(key));
                }

                owner.Queue.Enqueue(new DeltaBatch(InstanceId, ++owner.Sequence, delta.Bytes));
                if (owner.Queue.Count > MaxQueuedPerOwner)
                {
                    owner.Queue.Dequeue();
                    Interlocked.Increment(ref _dropped);
                    Batches.WithLabels("dropped").Inc();
                }
            }

            var sends = new List<Task<int>>();
            foreach (var (key, owner) in _owners)
            {
                if (owner.Queue.Count > 0)
                {
                    sends.Add(SendAsync(key, owner));
                }
            }

            var applied = await Task.WhenAll(sends);
            Volatile.Write(ref _queued, _owners.Values.Sum(owner => owner.Queue.Count));
            Queued.Set(_queued);
            return applied.Sum();
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    private async Task<int> SendAsync(string key, Owner owner)
    {
        var applied = 0;
        try
        {
            while (owner.Queue.TryPeek(out var batch))
            {
                await owner.Grain.Apply(batch);
                owner.Queue.Dequeue();
                applied++;
                Batches.WithLabels("sent").Inc();
                Bytes.Inc(batch.Bytes.Length);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Batches.WithLabels("failed").Inc();
            _logger.LogWarning(e, "could not send {Count} delta batches to the owner of {Owner}; they are sent again at the next flush", owner.Queue.Count, key);
        }

        return applied;
    }

    private sealed class Owner(ISloOwnerGrain grain)
    {
        public ISloOwnerGrain Grain { get; } = grain;

        public Queue<DeltaBatch> Queue { get; } = new();

        public long Sequence { get; set; }
    }
}
