using System.Buffers.Binary;
using System.Numerics;

namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// The buckets of a histogram that no longer changes, packed into one byte array: the zero count, then for each
/// scale present (finest first) its runs of consecutive non-zero buckets. A run is the gap from the end of the
/// previous run, its length and its first count, then each further count as the difference from the one before it
/// (zigzag), packed in blocks of 16 at the bit width of the block's largest difference (a 6-bit width, then 16
/// fields of that width). Neighbouring buckets of a smooth distribution hold similar counts, so most differences
/// take a few bits: about 7 bits per occupied bucket for 100,000 log-normal latencies at scale 5.
/// </summary>
/// <remarks>
/// Header fields are varints of 7 bits plus a continuation bit, written into the same bit stream.
/// Lossless: <see cref="CopyTo"/> gives back exactly the buckets and counts that were encoded (equal indexes of one
/// scale summed). Decoding walks the bits once, into any <see cref="IBucketSink"/>, without building an array.
/// </remarks>
internal static class SealedBuckets
{
    private const int Block = 16;
    private const int WidthBits = 6;

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
        var reader = new BitReader(bytes);
        long zero = (long)reader.ReadVarint();
        if (zero != 0)
        {
            target.AddZero(zero);
        }

        while (reader.RemainingBits >= 8)
        {
            int scale = (int)Unzig(reader.ReadVarint());
            long runs = (long)reader.ReadVarint();
            long end = 0;
            for (long r = 0; r < runs; r++)
            {
                long index = end + Unzig(reader.ReadVarint());
                long length = (long)reader.ReadVarint();
                long count = (long)reader.ReadVarint();
                target.Add(scale, (int)index, count);
                long i = 1;
                while (i < length)
                {
                    int width = (int)reader.ReadBits(WidthBits);
                    width = width == (1 << WidthBits) - 1 ? 64 : width;
                    long blockEnd = Math.Min(length, i + Block);
                    for (; i < blockEnd; i++)
                    {
                        count += Unzig(reader.ReadBits(width));
                        target.Add(scale, (int)(index + i), count);
                    }
                }

                end = index + length;
            }
        }
    }

    private static ulong Zig(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long Unzig(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private long _bit;

        public readonly long RemainingBits => (8L * _bytes.Length) - _bit;

        public ulong ReadBits(int count)
        {
            int at = (int)(_bit >> 3);
            if (count <= 56 && at + 8 <= _bytes.Length)
            {
                ulong word = BinaryPrimitives.ReadUInt64LittleEndian(_bytes[at..]) >> (int)(_bit & 7);
                _bit += count;
                return count == 0 ? 0 : word & (ulong.MaxValue >> (64 - count));
            }

            return ReadBitsSlowly(count);
        }

        private ulong ReadBitsSlowly(int count)
        {
            ulong value = 0;
            int got = 0;
            while (got < count)
            {
                int offset = (int)(_bit & 7);
                int take = Math.Min(8 - offset, count - got);
                value |= (ulong)((_bytes[(int)(_bit >> 3)] >> offset) & ((1 << take) - 1)) << got;
                got += take;
                _bit += take;
            }

            return value;
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                ulong group = ReadBits(8);
                value |= (group & 0x7F) << shift;
                if (group < 0x80)
                {
                    return value;
                }
            }
        }
    }

    /// <summary>Gathers buckets in any order, then writes them sorted by scale (finest first) and index.</summary>
    private sealed class Collector : IBucketSink
    {
        private readonly List<(int Scale, int Index, long Count)> _buckets = [];
        private readonly List<byte> _bytes = [];
        private int _bitInByte;
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

            WriteVarint(Zig(scale));
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

                WriteVarint(Zig(_buckets[start].Index - previousEnd));
                WriteVarint((ulong)(stop - start));
                WriteVarint((ulong)_buckets[start].Count);
                for (int blockStart = start + 1; blockStart < stop; blockStart += Block)
                {
                    WriteBlock(blockStart, Math.Min(stop, blockStart + Block));
                }

                previousEnd = (long)_buckets[start].Index + (stop - start);
                start = stop;
            }
        }

        private void WriteBlock(int first, int end)
        {
            ulong widest = 0;
            for (int i = first; i < end; i++)
            {
                widest |= Difference(i);
            }

            int width = 64 - BitOperations.LeadingZeroCount(widest);
            int stored = width >= (1 << WidthBits) - 1 ? (1 << WidthBits) - 1 : width;
            width = stored == (1 << WidthBits) - 1 ? 64 : width;
            WriteBits((ulong)stored, WidthBits);
            for (int i = first; i < end; i++)
            {
                WriteBits(Difference(i), width);
            }
        }

        private ulong Difference(int i) => Zig(_buckets[i].Count - _buckets[i - 1].Count);

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                WriteBits((value & 0x7F) | 0x80, 8);
                value >>= 7;
            }

            WriteBits(value, 8);
        }

        private void WriteBits(ulong value, int count)
        {
            while (count > 0)
            {
                if (_bitInByte == 0)
                {
                    _bytes.Add(0);
                }

                int take = Math.Min(8 - _bitInByte, count);
                _bytes[^1] |= (byte)((value & ((1UL << take) - 1)) << _bitInByte);
                value >>= take;
                count -= take;
                _bitInByte = (_bitInByte + take) & 7;
            }
        }
    }
}
