using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// One set of lock-free histogram counters: a zero bucket, the buckets of the recording scale, and, created on
/// demand, buckets at coarser scales for merged data that arrived at a scale lower than the recording scale (kept
/// apart so that merging stays exact; a snapshot downscales everything to the lowest scale present).
/// A recorder (not a window slice) also gets a dense array for the common range 2^-24 .. 2^24 (60 ns .. 194 days in
/// seconds), so its hot path is one array increment; other values go to the sparse pages.
/// </summary>
internal sealed class HistogramCells : IBucketSink
{
    private readonly ExponentialIndexer _indexer;
    private const int DenseOctaves = 48;
    private const int MaxDenseLength = 2048;

    private readonly BucketCounters _primary;
    private readonly long[] _dense;
    private readonly int _denseFirst;
    private BucketCounters?[]? _coarser;
    private long _zeroCount;

    public HistogramCells(int scale, bool dense = false)
    {
        _indexer = ExponentialIndexer.For(scale);
        _primary = new BucketCounters(scale);
        if (!dense)
        {
            _dense = [];
            return;
        }

        int perOctave = scale >= 0 ? 1 << scale : 1;
        int length = Math.Min(DenseOctaves * perOctave, MaxDenseLength);
        _dense = new long[length];
        _denseFirst = scale >= 0 ? -length / 2 : -(DenseOctaves / 2 >> -scale);
    }

    public int Scale => _indexer.Scale;

    /// <summary>Records a value already known to be zero or positive and finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double value, long count)
    {
        if (value == 0)
        {
            Interlocked.Add(ref _zeroCount, count);
            return;
        }

        int index = _indexer.Index(value);
        var dense = _dense;
        uint slot = (uint)(index - _denseFirst);
        if (slot < (uint)dense.Length)
        {
            Interlocked.Add(ref dense[slot], count);
            return;
        }

        _primary.Add(index, count);
    }

    public void AddZero(long count) => Interlocked.Add(ref _zeroCount, count);

    /// <summary>Adds a bucket given at any scale; finer scales are downscaled, coarser ones kept at their own scale.</summary>
    public void AddBucket(int scale, int index, long count)
    {
        if (scale >= Scale)
        {
            _primary.Add(index >> (scale - Scale), count);
            return;
        }

        Coarser(scale).Add(index, count);
    }

    public void CopyTo(IBucketSink target)
    {
        target.AddZero(Volatile.Read(ref _zeroCount));
        for (int i = 0; i < _dense.Length; i++)
        {
            long count = Volatile.Read(ref _dense[i]);
            if (count != 0)
            {
                target.Add(Scale, _denseFirst + i, count);
            }
        }

        _primary.CopyTo(target);
        var coarser = Volatile.Read(ref _coarser);
        if (coarser is null)
        {
            return;
        }

        foreach (var counters in coarser)
        {
            counters?.CopyTo(target);
        }
    }

    void IBucketSink.Add(int scale, int index, long count) => AddBucket(scale, index, count);

    /// <summary>Sets every count to zero, keeping the pages for reuse; only while nothing records into these cells.</summary>
    public void Clear()
    {
        Volatile.Write(ref _zeroCount, 0);
        Array.Clear(_dense);
        _primary.Clear();
        Volatile.Write(ref _coarser, null);
    }

    public long EstimateBytes()
    {
        long bytes = 64 + _primary.EstimateBytes() + (_dense.Length == 0 ? 0 : 24 + 8L * _dense.Length);
        var coarser = Volatile.Read(ref _coarser);
        if (coarser is not null)
        {
            foreach (var counters in coarser)
            {
                bytes += counters?.EstimateBytes() ?? 0;
            }
        }

        return bytes;
    }

    private BucketCounters Coarser(int scale)
    {
        var coarser = Volatile.Read(ref _coarser);
        if (coarser is null)
        {
            Interlocked.CompareExchange(ref _coarser, new BucketCounters?[Scale - ExponentialIndexer.MinScale], null);
            coarser = Volatile.Read(ref _coarser)!;
        }

        ref var slot = ref coarser[scale - ExponentialIndexer.MinScale];
        var counters = Volatile.Read(ref slot);
        if (counters is null)
        {
            Interlocked.CompareExchange(ref slot, new BucketCounters(scale), null);
            counters = Volatile.Read(ref slot)!;
        }

        return counters;
    }
}
