namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// Builds a dense bucket array from counts given at any scale: the result is kept at the lowest scale seen so far,
/// downscaling (index &gt;&gt; difference) whatever was added at a finer scale. Downscaling is exact: every bucket of
/// scale s lies inside exactly one bucket of scale s-1.
/// </summary>
internal sealed class SnapshotAccumulator : IBucketSink
{
    private long[] _counts = [];
    private int _offset;

    public SnapshotAccumulator(int scale) => Scale = scale;

    public int Scale { get; private set; }

    public long ZeroCount { get; private set; }

    public void AddZero(long count) => ZeroCount += count;

    public void Add(int scale, int index, long count)
    {
        if (count == 0)
        {
            return;
        }

        if (scale < Scale)
        {
            Downscale(Scale - scale);
        }
        else if (scale > Scale)
        {
            index >>= scale - Scale;
        }

        EnsureRange(index);
        _counts[index - _offset] += count;
    }

    public void Add(HistogramSnapshot snapshot)
    {
        AddZero(snapshot.ZeroCount);
        var counts = snapshot.BucketCounts;
        for (int i = 0; i < counts.Length; i++)
        {
            Add(snapshot.Scale, snapshot.IndexOffset + i, counts[i]);
        }
    }

    public HistogramSnapshot ToSnapshot()
    {
        int first = 0;
        int last = _counts.Length - 1;
        while (first <= last && _counts[first] == 0)
        {
            first++;
        }

        while (last >= first && _counts[last] == 0)
        {
            last--;
        }

        var trimmed = first > last ? [] : _counts.AsSpan(first, last - first + 1).ToArray();
        return new HistogramSnapshot(Scale, ZeroCount, first > last ? 0 : _offset + first, trimmed);
    }

    private void Downscale(int by)
    {
        Scale -= by;
        if (_counts.Length == 0)
        {
            return;
        }

        int newOffset = _offset >> by;
        int newLast = (_offset + _counts.Length - 1) >> by;
        var counts = new long[newLast - newOffset + 1];
        for (int i = 0; i < _counts.Length; i++)
        {
            counts[((_offset + i) >> by) - newOffset] += _counts[i];
        }

        _counts = counts;
        _offset = newOffset;
    }

    private void EnsureRange(int index)
    {
        if (_counts.Length == 0)
        {
            _counts = new long[16];
            _offset = index - 8;
            return;
        }

        long first = _offset;
        long last = (long)_offset + _counts.Length - 1;
        if (index >= first && index <= last)
        {
            return;
        }

        long newFirst = Math.Min(first, index);
        long newLast = Math.Max(last, index);
        long length = newLast - newFirst + 1;
        long grow = Math.Max(length / 2, 16);
        if (index < first)
        {
            newFirst -= grow;
        }
        else
        {
            newLast += grow;
        }

        newFirst = Math.Max(newFirst, int.MinValue);
        newLast = Math.Min(newLast, int.MaxValue);
        var counts = new long[newLast - newFirst + 1];
        Array.Copy(_counts, 0, counts, first - newFirst, _counts.Length);
        _counts = counts;
        _offset = (int)newFirst;
    }
}
