using SloMonitor.Histograms.Buckets;
using SloMonitor.Histograms.Serialization;
using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms;

/// <summary>
/// One SLI series: exact good/total counters and, optionally, a latency histogram, kept in tiers of time-sliced
/// rings so that any window up to the retention is answered by summing at most a few hundred slices.
/// </summary>
/// <remarks>
/// Every event lands in the slice of its own timestamp in every tier that still keeps that slice, so late events
/// count where they belong. Recording takes no lock: counters are <see cref="Interlocked"/> adds, slice rotation is
/// a compare-and-swap by whichever writer first reaches a new slice. The newest timestamp seen is the series'
/// clock for retention: an event older than it by more than the retention is refused.
/// A rolling window [now - w, now] is read from the finest tier that spans it, over the slices that start at or
/// after now - w (so it covers between w minus one slice and w, plus any events already in the current slice).
/// </remarks>
public sealed class SliSeries
{
    private static ReadOnlySpan<byte> Magic => "SLIS"u8;
    private const byte FormatVersion = 1;

    private readonly long _retentionMs;
    private readonly CounterRing[] _counters;
    private readonly SliceTier[] _counterTiers;
    private readonly HistogramRing[]? _histograms;
    private readonly SliceTier[] _histogramTiers = [];
    private long _headMs = -1;

    public SliSeries(SliSeriesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.WithHistogram)
        {
            ExponentialHistogram.ValidateScale(options.Scale);
        }

        var retention = options.EffectiveRetention;
        if (retention < TimeSpan.FromSeconds(5))
        {
            throw new ArgumentOutOfRangeException(nameof(options), retention, "Retention must be at least 5 seconds");
        }

        Options = options;
        _retentionMs = (long)retention.TotalMilliseconds;
        _counterTiers = SliceTier.ForCounters(_retentionMs);
        _counters = [.. _counterTiers.Select(tier => new CounterRing(tier))];
        if (options.WithHistogram)
        {
            _histogramTiers = SliceTier.ForHistograms(_retentionMs);
            _histograms = [.. _histogramTiers.Select(tier => new HistogramRing(tier, options.Scale))];
        }
    }

    public SliSeriesOptions Options { get; }

    /// <summary>The newest event time seen (Unix ms), or -1 before the first event.</summary>
    public long NewestUnixMs => Volatile.Read(ref _headMs);

    internal IReadOnlyList<CounterRing> CounterRings => _counters;

    internal IReadOnlyList<HistogramRing>? HistogramRings => _histograms;

    /// <summary>Adds exact counts at a time; false (nothing recorded) when older than the retention.</summary>
    public bool Record(long unixTimeMs, long good, long total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        ArgumentOutOfRangeException.ThrowIfNegative(good);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        if (good > total)
        {
            throw new ArgumentOutOfRangeException(nameof(good), good, $"good must not exceed total ({total})");
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        foreach (var ring in _counters)
        {
            ring.Add(unixTimeMs, head, good, total);
        }

        return true;
    }

    /// <summary>
    /// One measured value: total += 1, good += 1 when <paramref name="good"/>, and the value into the histogram
    /// (when the series has one). False, recording nothing, for NaN, infinite or negative values and for times
    /// older than the retention.
    /// </summary>
    public bool RecordValue(long unixTimeMs, double value, bool good)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        if (!(value >= 0) || value == double.PositiveInfinity)
        {
            return false;
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        long goodCount = good ? 1 : 0;
        foreach (var ring in _counters)
        {
            ring.Add(unixTimeMs, head, goodCount, 1);
        }

        if (_histograms is not null)
        {
            foreach (var ring in _histograms)
            {
                ring.CellsFor(unixTimeMs, head)?.Add(value, 1);
            }
        }

        return true;
    }

    /// <summary>
    /// Merges an OTLP exponential histogram into the histogram only (good/total are not touched: a bucket does not
    /// say which side of a threshold its values are; call <see cref="Record"/> for that). False when older than the
    /// retention. Throws <see cref="InvalidOperationException"/> when the series keeps no histogram.
    /// </summary>
    public bool MergeExponential(long unixTimeMs, int scale, ulong zeroCount, int positiveOffset, ReadOnlySpan<ulong> positiveBucketCounts)
    {
        IncomingBuckets.ValidateExponential(scale, zeroCount, positiveOffset, positiveBucketCounts);
        var rings = HistogramRingsOrThrow();
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        foreach (var ring in rings)
        {
            var cells = ring.CellsFor(unixTimeMs, head);
            if (cells is not null)
            {
                IncomingBuckets.MergeExponential(cells, scale, zeroCount, positiveOffset, positiveBucketCounts);
            }
        }

        return true;
    }

    /// <summary>
    /// Merges an OTLP explicit-bucket histogram into the histogram only, each bucket's count at one representative
    /// point (see docs/histograms.md). Same rules as <see cref="MergeExponential"/>.
    /// </summary>
    public bool MergeExplicit(long unixTimeMs, ReadOnlySpan<double> explicitBounds, ReadOnlySpan<ulong> bucketCounts)
    {
        IncomingBuckets.ValidateExplicit(explicitBounds, bucketCounts);
        var rings = HistogramRingsOrThrow();
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        foreach (var ring in rings)
        {
            var cells = ring.CellsFor(unixTimeMs, head);
            if (cells is not null)
            {
                IncomingBuckets.MergeExplicit(cells, explicitBounds, bucketCounts);
            }
        }

        return true;
    }

    /// <summary>The rolling window of length <paramref name="window"/> ending at <paramref name="nowUnixMs"/>.</summary>
    public WindowReading Read(long nowUnixMs, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nowUnixMs);
        long windowMs = (long)window.TotalMilliseconds;
        if (windowMs <= 0 || windowMs > _retentionMs)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"window must be positive and at most the retention ({Options.EffectiveRetention})");
        }

        long fromMs = Math.Max(0, nowUnixMs - windowMs);
        var counters = _counters[SliceTier.Choose(_counterTiers, windowMs)];
        long slice = counters.Tier.SliceMs;
        var (good, total) = counters.Sum(CeilDiv(fromMs, slice), nowUnixMs / slice);
        HistogramSnapshot? histogram = null;
        if (_histograms is not null)
        {
            var ring = _histograms[SliceTier.Choose(_histogramTiers, windowMs)];
            histogram = ReadHistogram(ring, CeilDiv(fromMs, ring.Tier.SliceMs), nowUnixMs / ring.Tier.SliceMs);
        }

        return new WindowReading(good, total, histogram);
    }

    /// <summary>
    /// A calendar window [from, to): the slices that start in it, from the finest tier that still keeps
    /// <paramref name="fromUnixMs"/> (windows reaching past the retention are cut at it).
    /// </summary>
    public WindowReading Read(long fromUnixMs, long toUnixMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromUnixMs);
        if (toUnixMs < fromUnixMs)
        {
            throw new ArgumentOutOfRangeException(nameof(toUnixMs), toUnixMs, $"toUnixMs must not be before fromUnixMs ({fromUnixMs})");
        }

        long head = Math.Max(NewestUnixMs, 0);
        var counters = _counters[SliceTier.ChooseFrom(_counterTiers, fromUnixMs, head)];
        long slice = counters.Tier.SliceMs;
        var (good, total) = counters.Sum(CeilDiv(fromUnixMs, slice), CeilDiv(toUnixMs, slice) - 1);
        HistogramSnapshot? histogram = null;
        if (_histograms is not null)
        {
            var ring = _histograms[SliceTier.ChooseFrom(_histogramTiers, fromUnixMs, head)];
            histogram = ReadHistogram(ring, CeilDiv(fromUnixMs, ring.Tier.SliceMs), CeilDiv(toUnixMs, ring.Tier.SliceMs) - 1);
        }

        return new WindowReading(good, total, histogram);
    }

    /// <summary>The whole state in a compact binary form (see <see cref="FromBytes"/>).</summary>
    public byte[] ToBytes() => SliSeriesFormat.Write(this);

    /// <summary>Restores a series written by <see cref="ToBytes"/>; throws <see cref="FormatException"/> on bad input.</summary>
    public static SliSeries FromBytes(ReadOnlySpan<byte> bytes) => SliSeriesFormat.Read(bytes);

    /// <summary>Approximate bytes held by this series (rings, slots and histogram pages).</summary>
    public long EstimateBytes()
    {
        long bytes = 64;
        foreach (var ring in _counters)
        {
            bytes += 48 + ring.Tier.Slots * CounterRing.BytesPerSlot;
        }

        if (_histograms is not null)
        {
            foreach (var ring in _histograms)
            {
                bytes += 48 + ring.EstimateBytes();
            }
        }

        return bytes;
    }

    internal void RestoreHead(long headMs) => _headMs = headMs;

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;

    private HistogramSnapshot ReadHistogram(HistogramRing ring, long firstSlice, long lastSlice)
    {
        var accumulator = new SnapshotAccumulator(Options.Scale);
        ring.CopyTo(firstSlice, lastSlice, accumulator);
        return accumulator.ToSnapshot();
    }

    private HistogramRing[] HistogramRingsOrThrow() =>
        _histograms ?? throw new InvalidOperationException("this series was created without a histogram (SliSeriesOptions.WithHistogram is false)");

    private long Advance(long unixTimeMs) => AtomicMax.Raise(ref _headMs, unixTimeMs);
}
