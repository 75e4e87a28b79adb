using System.Numerics;
using System.Runtime.CompilerServices;
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
/// count where they belong. Recording takes no lock. Each thread writes through one of a few stripes (picked by
/// thread, as many as cores up to <see cref="MaxStripes"/>): an event of the stripe's current 30-second period
/// goes into the stripe's own buffer (a few <see cref="Interlocked"/> adds on cache lines no other stripe touches),
/// and the buffer is folded into the tiers when the stripe moves on to a newer period. Other events (late ones, or
/// while another thread is moving the stripe on) and merged OTLP histograms go into the tiers directly, where slot
/// rotation is a compare-and-swap by whichever writer first reaches a new slice. Counts are exact under any
/// concurrency. A reading sums the tiers and the buffers; a fold or slot hand-over that overlaps it makes it start
/// again, so no count is read twice or missed, and good never exceeds total in any reading. Counters are read one at
/// a time: a reading taken during recording may include some of the events recorded meanwhile.
/// The newest timestamp seen is the series' clock for retention: an event older than it by more than the retention
/// is refused. A rolling window [now - w, now] is read from the finest tier that spans it, over the slices that
/// start at or after now - w (so it covers between w minus one slice and w, plus any events already in the current
/// slice).
/// </remarks>
public sealed class SliSeries
{
    private readonly long _retentionMs;
    private readonly SliceTiers _tiers;
    private readonly WriteStripe?[] _stripes;
    private readonly ChangeSequence _changes = new();
    private readonly PaddedLong _head = new() { Value = -1 };
    private long _sealedThroughPeriod = -1;

    /// <summary>The latest event time a series records (Unix ms, in the year 2286); later times are refused.</summary>
    public const long MaxUnixMs = CounterRing.MaxUnixMs;

    /// <summary>The most write stripes a series has (each costs 192 bytes, plus two period buffers once used).</summary>
    public const int MaxStripes = 4;

    private static readonly int StripeCount = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount), MaxStripes);

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
        _tiers = new SliceTiers(_retentionMs, options.WithHistogram ? options.Scale : null, _changes);
        _stripes = new WriteStripe?[StripeCount];
    }

    public SliSeriesOptions Options { get; }

    /// <summary>The newest event time seen (Unix ms), or -1 before the first event.</summary>
    public long NewestUnixMs => Volatile.Read(ref _head.Value);

    internal IReadOnlyList<CounterRing> CounterRings => _tiers.Counters;

    internal IReadOnlyList<HistogramRing>? HistogramRings => _tiers.Histograms;

    /// <summary>The scale of the period buffers' histograms, or null for a series without one.</summary>
    internal int? HistogramScale => Options.WithHistogram ? Options.Scale : null;

    internal int StripesInUse => _stripes.Count(stripe => stripe is not null);

    /// <summary>Adds exact counts at a time; false (nothing recorded) when older than the retention or after <see cref="MaxUnixMs"/>.</summary>
    public bool Record(long unixTimeMs, long good, long total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        ArgumentOutOfRangeException.ThrowIfNegative(good);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        if (good > total)
        {
            throw new ArgumentOutOfRangeException(nameof(good), good, $"good must not exceed total ({total})");
        }

        if (unixTimeMs > MaxUnixMs)
        {
            return false;
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        var stripe = Stripe();
        if (!stripe.TryAdd(unixTimeMs, good, total)
            && !(stripe.TryMoveTo(unixTimeMs / PeriodBuffer.PeriodMs, this) && stripe.TryAdd(unixTimeMs, good, total)))
        {
            _tiers.AddCounts(unixTimeMs, head, good, total);
        }

        return true;
    }

    /// <summary>
    /// One measured value: total += 1, good += 1 when <paramref name="good"/>, and the value into the histogram
    /// (when the series has one). False, recording nothing, for NaN, infinite or negative values and for times
    /// older than the retention or after <see cref="MaxUnixMs"/>.
    /// </summary>
    public bool RecordValue(long unixTimeMs, double value, bool good)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        if (!(value >= 0) || value == double.PositiveInfinity)
        {
            return false;
        }

        if (unixTimeMs > MaxUnixMs)
        {
            return false;
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        var stripe = Stripe();
        if (stripe.TryAddValue(unixTimeMs, value, good)
            || (stripe.TryMoveTo(unixTimeMs / PeriodBuffer.PeriodMs, this) && stripe.TryAddValue(unixTimeMs, value, good)))
        {
            return true;
        }

        _tiers.AddCounts(unixTimeMs, head, good ? 1 : 0, 1);
        _tiers.AddValue(unixTimeMs, head, value);
        SealIfHeadMovedOn(head);
        return true;
    }

    /// <summary>
    /// Merges an OTLP exponential histogram into the histogram only (good/total are not touched: a bucket does not
    /// say which side of a threshold its values are; call <see cref="Record"/> for that). False when older than the
    /// retention or after <see cref="MaxUnixMs"/>. Throws <see cref="InvalidOperationException"/> when the series keeps no histogram.
    /// </summary>
    public bool MergeExponential(long unixTimeMs, int scale, ulong zeroCount, int positiveOffset, ReadOnlySpan<ulong> positiveBucketCounts)
    {
        IncomingBuckets.ValidateExponential(scale, zeroCount, positiveOffset, positiveBucketCounts);
        var rings = HistogramRingsOrThrow();
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        if (unixTimeMs > MaxUnixMs)
        {
            return false;
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        foreach (var ring in rings)
        {
            using var write = ring.Write(unixTimeMs, head);
            if (write.Cells is { } cells)
            {
                IncomingBuckets.MergeExponential(cells, scale, zeroCount, positiveOffset, positiveBucketCounts);
            }
        }

        SealIfHeadMovedOn(head);
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
        if (unixTimeMs > MaxUnixMs)
        {
            return false;
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - _retentionMs)
        {
            return false;
        }

        foreach (var ring in rings)
        {
            using var write = ring.Write(unixTimeMs, head);
            if (write.Cells is { } cells)
            {
                IncomingBuckets.MergeExplicit(cells, explicitBounds, bucketCounts);
            }
        }

        SealIfHeadMovedOn(head);
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

        return _changes.ReadConsistent(
            (Series: this, Now: nowUnixMs, WindowMs: windowMs),
            static q => q.Series._tiers.ReadRolling(q.Now, q.WindowMs, q.Series.NewestUnixMs, q.Series._stripes));
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

        return _changes.ReadConsistent(
            (Series: this, From: fromUnixMs, To: toUnixMs),
            static q => q.Series._tiers.ReadCalendar(q.From, q.To, q.Series.NewestUnixMs, q.Series._stripes));
    }

    /// <summary>
    /// The span of time whose events <see cref="Read(long, long)"/> of [from, to) counts, from the edges of the slices
    /// it takes: wider than [from, to) by up to a slice of the tier it reads (an hour for data days old).
    /// </summary>
    public (long FromMs, long ToMs) CalendarBounds(long fromUnixMs, long toUnixMs) => _tiers.CalendarBounds(fromUnixMs, toUnixMs, NewestUnixMs);

    /// <summary>
    /// Adds every event of <paramref name="other"/> (a series of the same options, such as one read back from a
    /// checkpoint) into this one while it goes on recording: the counts of each slice of each tier add up, so the
    /// result is exact whatever the order, for events the two did not both count. Slices this series no longer keeps
    /// (beyond its retention from the newer of the two heads) are left out. Readings wait for the merge to finish.
    /// </summary>
    public void MergeFrom(SliSeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Options.WithHistogram != Options.WithHistogram || other._retentionMs != _retentionMs
            || (Options.WithHistogram && other.Options.Scale != Options.Scale))
        {
            throw new ArgumentException("only a series of the same options (histogram, scale, retention) can merge into this one", nameof(other));
        }

        other.Flush();
        long head = other.NewestUnixMs >= 0 ? Advance(other.NewestUnixMs) : NewestUnixMs;
        _changes.Begin();
        try
        {
            _tiers.MergeFrom(other._tiers, head);
        }
        finally
        {
            _changes.End();
        }

        Seal();
    }

    /// <summary>
    /// Checks that <paramref name="bytes"/> (written by <see cref="ToBytes"/>) can merge into this series: the checks
    /// <see cref="FromBytes"/> makes, and this series' options. Throws <see cref="FormatException"/>; changes nothing.
    /// </summary>
    public void CheckMergeable(ReadOnlySpan<byte> bytes) => SliSeriesFormat.Walk(this, bytes, headMs: null);

    /// <summary>
    /// Adds the series in <paramref name="bytes"/> into this one, as <c>MergeFrom(FromBytes(bytes))</c> does, without
    /// building it: no series is allocated, only this one's slices touched. Call <see cref="CheckMergeable"/> first;
    /// bytes it refuses may be merged in part.
    /// </summary>
    public void MergeBytes(ReadOnlySpan<byte> bytes)
    {
        long newest = SliSeriesFormat.NewestOf(bytes);
        long head = newest >= 0 ? Advance(newest) : NewestUnixMs;
        _changes.Begin();
        try
        {
            SliSeriesFormat.Walk(this, bytes, head);
        }
        finally
        {
            _changes.End();
        }

        Seal();
    }

    /// <summary>
    /// Empties the series for reuse (a delta that was handed on), keeping its write stripes and their buffers, so
    /// recording into it again allocates nothing more than a new series would. Only while nothing records into the
    /// series or reads it: the caller keeps writers out (a phaser) before it clears.
    /// </summary>
    public void Clear()
    {
        Flush();
        _tiers.Clear();
        _head.Value = -1;
        Volatile.Write(ref _sealedThroughPeriod, -1);
    }

    /// <summary>The whole state in a compact binary form (see <see cref="FromBytes"/>).</summary>
    public byte[] ToBytes()
    {
        Flush();
        return SliSeriesFormat.Write(this);
    }

    /// <summary>Restores a series written by <see cref="ToBytes"/>; throws <see cref="FormatException"/> on bad input.</summary>
    public static SliSeries FromBytes(ReadOnlySpan<byte> bytes) => SliSeriesFormat.Read(bytes);

    /// <summary>Approximate bytes held by this series (rings, slots and histogram pages).</summary>
    public long EstimateBytes()
    {
        long bytes = 64 + _tiers.EstimateBytes();
        foreach (var stripe in _stripes)
        {
            bytes += 8 + (stripe?.EstimateBytes() ?? 0);
        }

        return bytes;
    }

    internal void RestoreHead(long headMs) => _head.Value = headMs;

    /// <summary>Folds every stripe's buffers into the tiers (waiting for writers still in a retired buffer).</summary>
    internal void Flush()
    {
        foreach (var stripe in _stripes)
        {
            stripe?.Flush(this);
        }
    }

    /// <summary>Where a stripe announces that it moves counts from a buffer into the tiers.</summary>
    internal ChangeSequence Changes => _changes;

    /// <summary>Adds a retired buffer into every tier that still keeps its slices.</summary>
    internal void Fold(PeriodBuffer buffer) => _tiers.Fold(buffer, NewestUnixMs);

    /// <summary>
    /// Seals the histogram slices that end before the period preceding the one of the newest time seen: the stripes'
    /// buffers hold the current and the previous period, so in step with the newest time they no longer reach such a
    /// slice (a late event, or the buffer of a stripe no thread has moved on for a while, goes into the slice's late
    /// cells). Nothing to do for a ratio series. A slice a writer is still inside is sealed by a later call.
    /// </summary>
    internal void Seal()
    {
        long head = NewestUnixMs;
        if (!Options.WithHistogram || head < 0)
        {
            return;
        }

        if (!_tiers.SealEndingBy(((head / PeriodBuffer.PeriodMs) - 1) * PeriodBuffer.PeriodMs))
        {
            Volatile.Write(ref _sealedThroughPeriod, -1);
        }
    }

    /// <summary>
    /// Seals (see <see cref="Seal"/>) when the newest time has reached a period not sealed for yet, or when a
    /// histogram slice was created since the last seal (a late event or merge into a slice not kept yet).
    /// </summary>
    internal void SealIfHeadMovedOn(long headMs)
    {
        long period = headMs / PeriodBuffer.PeriodMs;
        long done = Volatile.Read(ref _sealedThroughPeriod);
        if ((period > done && Interlocked.CompareExchange(ref _sealedThroughPeriod, period, done) == done) || _tiers.CreatedSlices())
        {
            Seal();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private WriteStripe Stripe()
    {
        int index = ThreadNumbers.Current() & (_stripes.Length - 1);
        return Volatile.Read(ref _stripes[index]) ?? CreateStripe(index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WriteStripe CreateStripe(int index)
    {
        Interlocked.CompareExchange(ref _stripes[index], new WriteStripe(), null);
        return Volatile.Read(ref _stripes[index])!;
    }

    private HistogramRing[] HistogramRingsOrThrow() =>
        _tiers.Histograms ?? throw new InvalidOperationException("this series was created without a histogram (SliSeriesOptions.WithHistogram is false)");

    private long Advance(long unixTimeMs) => AtomicMax.Raise(ref _head.Value, unixTimeMs);
}
