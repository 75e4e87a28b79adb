using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// Lock-free counters for every bucket index of one scale, stored sparsely: a directory of chunks of pages of
/// 16 counters, each level created on first use with a compare-and-swap (so no increment is ever lost and nothing
/// is copied). Once a value's page exists, <see cref="Add"/> is three loads and one <see cref="Interlocked.Add(ref long, long)"/>.
/// Each counter is exact; a reader walking the pages sees each counter atomically but not all of them at one instant.
/// </summary>
internal sealed class BucketCounters
{
    internal const int PageBits = 4;
    internal const int ChunkBits = 6;
    private const int PageSize = 1 << PageBits;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly int _minIndex;
    private readonly int _maxIndex;
    private readonly long[]?[]?[] _chunks;

    public BucketCounters(int scale)
    {
        Scale = scale;
        (_minIndex, _maxIndex) = ExponentialIndexer.IndexRange(scale);
        long span = (long)_maxIndex - _minIndex + 1;
        _chunks = new long[]?[]?[(int)((span >> (PageBits + ChunkBits)) + 1)];
    }

    public int Scale { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int index, long count)
    {
        uint offset = (uint)(index - _minIndex);
        var chunks = _chunks;
        uint chunkIndex = offset >> (PageBits + ChunkBits);
        if (chunkIndex < (uint)chunks.Length)
        {
            var pages = chunks[chunkIndex];
            if (pages is not null)
            {
                var page = pages[(offset >> PageBits) & (ChunkSize - 1)];
                if (page is not null)
                {
                    Interlocked.Add(ref page[offset & (PageSize - 1)], count);
                    return;
                }
            }
        }

        AddSlow(index, offset, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(int index, uint offset, long count)
    {
        uint chunkIndex = offset >> (PageBits + ChunkBits);
        if (chunkIndex >= (uint)_chunks.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"bucket index is outside the range of scale {Scale}");
        }

        var pages = Volatile.Read(ref _chunks[chunkIndex]);
        if (pages is null)
        {
            Interlocked.CompareExchange(ref _chunks[chunkIndex], new long[]?[ChunkSize], null);
            pages = Volatile.Read(ref _chunks[chunkIndex])!;
        }

        ref var pageSlot = ref pages[(offset >> PageBits) & (ChunkSize - 1)];
        var page = Volatile.Read(ref pageSlot);
        if (page is null)
        {
            Interlocked.CompareExchange(ref pageSlot, new long[PageSize], null);
            page = Volatile.Read(ref pageSlot)!;
        }

        Interlocked.Add(ref page[offset & (PageSize - 1)], count);
    }

    /// <summary>True when the index belongs to this scale's range.</summary>
    public bool Contains(int index) => index >= _minIndex && index <= _maxIndex;

    /// <summary>Adds every non-zero counter into <paramref name="target"/>.</summary>
    public void CopyTo(SnapshotAccumulator target)
    {
        for (int c = 0; c < _chunks.Length; c++)
        {
            var pages = Volatile.Read(ref _chunks[c]);
            if (pages is null)
            {
                continue;
            }

            for (int p = 0; p < pages.Length; p++)
            {
                var page = Volatile.Read(ref pages[p]);
                if (page is null)
                {
                    continue;
                }

                int first = _minIndex + (((c << ChunkBits) + p) << PageBits);
                for (int i = 0; i < page.Length; i++)
                {
                    long value = Volatile.Read(ref page[i]);
                    if (value != 0)
                    {
                        target.Add(Scale, first + i, value);
                    }
                }
            }
        }
    }

    /// <summary>Approximate bytes held: directory, chunks and pages.</summary>
    public long EstimateBytes()
    {
        long bytes = 24 + 8L * _chunks.Length;
        foreach (var pages in _chunks)
        {
            if (pages is null)
            {
                continue;
            }

            bytes += 24 + 8L * pages.Length;
            foreach (var page in pages)
            {
                bytes += page is null ? 0 : 24 + 8L * page.Length;
            }
        }

        return bytes;
    }
}
