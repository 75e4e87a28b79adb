using System.Buffers;
using System.Buffers.Binary;
using SloMonitor.Histograms.Buckets;
using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Serialization;

/// <summary>Compact little-endian encoding: LEB128 varints, zigzag for signed values.</summary>
internal sealed class ByteWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    public void WriteCount(long value) => WriteVarint((ulong)value);

    public void WriteSigned(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), BitConverter.DoubleToInt64Bits(value));
        _buffer.Advance(8);
    }

    public void WriteSnapshot(HistogramSnapshot snapshot)
    {
        WriteSigned(snapshot.Scale);
        WriteCount(snapshot.ZeroCount);
        WriteSigned(snapshot.IndexOffset);
        var counts = snapshot.BucketCounts;
        WriteCount(counts.Length);
        foreach (long count in counts)
        {
            WriteCount(count);
        }
    }

    public void WriteSlice(HistogramSlice slice)
    {
        var accumulator = new SnapshotAccumulator(slice.Scale);
        slice.CopyTo(accumulator);
        WriteSnapshot(accumulator.ToSnapshot());
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
