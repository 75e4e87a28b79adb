using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// Lock-free counters for every bucket index of one scale, stored sparsely in a three-level directory of 16-way
/// arrays over <see cref="CounterPage"/>s of 16 counters. Each level is created on first use with a
/// compare-and-swap, so no increment is ever lost and nothing is copied. Once a value's page exists,
/// <see cref="Add"/> is four loads and one <see cref="Interlocked"/> add. Each counter is exact; a reader walking the
/// pages sees each counter atomically but not all of them at one instant.
/// </summary>
internal sealed class BucketCounters
{
    private const int Bits = 4;
    private const int Fanout = 1 << Bits;
    private const int Mask = Fanout - 1;

    private readonly int _minIndex;
    private readonly int _maxIndex;
    private readonly CounterPage?[]?[]?[] _top;

    public BucketCounters(int scale)
    {
        Scale = scale;
        (_minIndex, _maxIndex) = ExponentialIndexer.IndexRange(scale);
        long span = (long)_maxIndex - _minIndex + 1;
        _top = new CounterPage?[]?[]?[(int)((span >> (3 * Bits)) + 1)];
    }

    public int Scale { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, long count)
    {
        uint offset = (uint)(index - _minIndex);
        var top = _top;
        uint topIndex = offset >> (3 * Bits);
        if (topIndex < (uint)top.Length)
        {
            var middle = top[topIndex];
            if (middle is not null)
            {
                var pages = middle[(offset >> (2 * Bits)) & Mask];
                if (pages is not null)
                {
                    var page = pages[(offset >> Bits) & Mask];
                    if (page is not null)
                    {
                        page.Add((int)(offset & Mask), count);
                        return;
                    }
                }
            }
        }

        AddSlow(index, offset, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(int index, uint offset, long count)
    {
        uint topIndex = offset >> (3 * Bits);
        if (index < _minIndex || index > _maxIndex || topIndex >= (uint)_top.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"bucket index is outside the range of scale {Scale}");
        }

        var middle = GetOrCreate(ref _top[topIndex], () => new CounterPage?[]?[Fanout]);
        var pages = GetOrCreate(ref middle[(offset >> (2 * Bits)) & Mask], () => new CounterPage?[Fanout]);
        var page = GetOrCreate(ref pages[(offset >> Bits) & Mask], () => new CounterPage());
        page.Add((int)(offset & Mask), count);
    }

    private static T GetOrCreate<T>(ref T? slot, Func<T> create)
        where T : class
    {
        var current = Volatile.Read(ref slot);
        if (current is not null)
        {
            return current;
        }

        Interlocked.CompareExchange(ref slot, create(), null);
        return Volatile.Read(ref slot)!;
    }

    /// <summary>True when the index belongs to this scale's range.</summary>
    public bool Contains(int index) => index >= _minIndex && index <= _maxIndex;

    /// <summary>Adds every non-zero counter into <paramref name="target"/>.</summary>
    public void CopyTo(IBucketSink target)
    {
        for (int t = 0; t < _top.Length; t++)
        {
            var middle = Volatile.Read(ref _top[t]);
            for (int m = 0; middle is not null && m < Fanout; m++)
            {
                var pages = Volatile.Read(ref middle[m]);
                for (int p = 0; pages is not null && p < Fanout; p++)
                {
                    var page = Volatile.Read(ref pages[p]);
                    if (page is null)
                    {
                        continue;
                    }

                    int first = _minIndex + (((((t << Bits) + m) << Bits) + p) << Bits);
                    for (int i = 0; i < CounterPage.Size; i++)
                    {
                        long value = page.Read(i);
                        if (value != 0)
                        {
                            target.Add(Scale, first + i, value);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Sets every counter to zero, keeping the pages; only while nothing records into these counters.</summary>
    public void Clear()
    {
        foreach (var middle in _top)
        {
            foreach (var pages in middle ?? [])
            {
                foreach (var page in pages ?? [])
                {
                    page?.Clear();
                }
            }
        }
    }

    /// <summary>Approximate bytes held: directory levels and pages.</summary>
    public long EstimateBytes()
    {
        const long arrayBytes = 24 + 8 * Fanout;
        const long pageBytes = 24 + 8 + 4 * CounterPage.Size;
        long bytes = 40 + 24 + 8L * _top.Length;
        foreach (var middle in _top)
        {
            if (middle is null)
            {
                continue;
            }

            bytes += arrayBytes;
            foreach (var pages in middle)
            {
                if (pages is null)
                {
                    continue;
                }

                bytes += arrayBytes;
                foreach (var page in pages)
                {
                    bytes += page is null ? 0 : pageBytes + (page.Wide is null ? 0 : 24 + 8 * CounterPage.Size);
                }
            }
        }

        return bytes;
    }
}
