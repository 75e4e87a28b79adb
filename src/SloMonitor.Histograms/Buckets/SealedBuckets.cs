namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// The buckets of a histogram that no longer changes, in one byte array: the zero count, then for each scale
/// present (finest first) its runs of consecutive non-zero buckets. A run is the gap from the end of the previous
/// run, its length, its first count, and each further count as the difference from the one before it (zigzag), all
/// LEB128 varints. Neighbouring buckets of a smooth distribution hold similar counts, so most buckets take one byte.
/// </summary>
/// <remarks>
/// Lossless: <see cref="CopyTo"/> gives back exactly the buckets and counts that were encoded (equal indexes of one
/// scale summed). Decoding walks the bytes once, into any <see cref="IBucketSink"/>, without building an array.
/// </remarks>
internal static class SealedBuckets
{
    /// <summary>Encodes what <paramref name="cells"/> holds (only while nothing records into them).</summary>
    public static byte[] Encode(HistogramCells cells)
    {
        var collector = new Collector();
        cells.CopyTo(collector);
        return collector.Encode();
    }

    /// <summary>Adds every encoded bucket into <paramref name="target"/>.</summary>
    public static void CopyTo(ReadOnlySpan<byte> bytes, IBucketSink target)
    {
        int position = 0;
        long zero = (long)ReadVarint(bytes, ref position);
        if (zero != 0)
        {
            target.AddZero(zero);
        }

        while (position < bytes.Length)
        {
            int scale = (int)ReadSigned(bytes, ref position);
            long runs = (long)ReadVarint(bytes, ref position);
            long end = 0;
            for (long r = 0; r < runs; r++)
            {
                long index = end + ReadSigned(bytes, ref position);
                long length = (long)ReadVarint(bytes, ref position);
                long count = 0;
                for (long i = 0; i < length; i++)
                {
                    count = i == 0 ? (long)ReadVarint(bytes, ref position) : count + ReadSigned(bytes, ref position);
                    target.Add(scale, (int)(index + i), count);
                }

                end = index + length;
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static long ReadSigned(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = ReadVarint(bytes, ref position);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    /// <summary>Gathers buckets in any order, then writes them sorted by scale (finest first) and index.</summary>
    private sealed class Collector : IBucketSink
    {
        private readonly List<(int Scale, int Index, long Count)> _buckets = [];
        private readonly List<byte> _bytes = [];
        private long _zero;

        public void AddZero(long count) => _zero += count;

        public void Add(int scale, int index, long count)
        {
            if (count != 0)
            {
                _buckets.Add((scale, index, count));
            }
        }

        public byte[] Encode()
        {
            _buckets.Sort(static (a, b) => a.Scale != b.Scale ? b.Scale.CompareTo(a.Scale) : a.Index.CompareTo(b.Index));
            Merge();
            WriteVarint((ulong)_zero);
            int i = 0;
            while (i < _buckets.Count)
            {
                int scale = _buckets[i].Scale;
                int groupEnd = i;
                while (groupEnd < _buckets.Count && _buckets[groupEnd].Scale == scale)
                {
                    groupEnd++;
                }

                WriteScale(scale, i, groupEnd);
                i = groupEnd;
            }

            return [.. _bytes];
        }

        /// <summary>Sums entries of one bucket (sorted, so they are neighbours).</summary>
        private void Merge()
        {
            int kept = 0;
            for (int i = 0; i < _buckets.Count; i++)
            {
                var bucket = _buckets[i];
                if (kept > 0 && _buckets[kept - 1].Scale == bucket.Scale && _buckets[kept - 1].Index == bucket.Index)
                {
                    _buckets[kept - 1] = bucket with { Count = _buckets[kept - 1].Count + bucket.Count };
                }
                else
                {
                    _buckets[kept++] = bucket;
                }
            }

            _buckets.RemoveRange(kept, _buckets.Count - kept);
        }

        private void WriteScale(int scale, int first, int end)
        {
            int runs = 0;
            for (int i = first; i < end; i++)
            {
                if (i == first || _buckets[i].Index != _buckets[i - 1].Index + 1)
                {
                    runs++;
                }
            }

            WriteSigned(scale);
            WriteVarint((ulong)runs);
            long previousEnd = 0;
            int start = first;
            while (start < end)
            {
                int stop = start + 1;
                while (stop < end && _buckets[stop].Index == _buckets[stop - 1].Index + 1)
                {
                    stop++;
                }

                WriteSigned(_buckets[start].Index - previousEnd);
                WriteVarint((ulong)(stop - start));
                WriteVarint((ulong)_buckets[start].Count);
                for (int i = start + 1; i < stop; i++)
                {
                    WriteSigned(_buckets[i].Count - _buckets[i - 1].Count);
                }

                previousEnd = (long)_buckets[start].Index + (stop - start);
                start = stop;
            }
        }

        private void WriteSigned(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.Add((byte)value);
        }
    }
}
