using System.Buffers.Binary;
using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Serialization;

/// <summary>Reads what <see cref="ByteWriter"/> wrote; any truncation or out-of-range value is a <see cref="FormatException"/>.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public ByteReader(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public readonly bool AtEnd => _position == _bytes.Length;

    public void ExpectMagic(ReadOnlySpan<byte> magic, byte version, string what)
    {
        if (_bytes.Length < magic.Length + 1 || !_bytes[..magic.Length].SequenceEqual(magic))
        {
            throw new FormatException($"not a {what} snapshot (bad header)");
        }

        _position = magic.Length;
        byte found = _bytes[_position++];
        if (found != version)
        {
            throw new FormatException($"{what} snapshot version {found} is not supported (expected {version})");
        }
    }

    public byte ReadByte(string field) =>
        _position < _bytes.Length ? _bytes[_position++] : throw new FormatException($"snapshot ends before {field}");

    public ulong ReadVarint(string field)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = ReadByte(field);
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException($"{field} is not a valid varint");
    }

    public long ReadCount(string field)
    {
        ulong value = ReadVarint(field);
        return value <= long.MaxValue ? (long)value : throw new FormatException($"{field} is out of range");
    }

    public int ReadLength(string field, int max)
    {
        long value = ReadCount(field);
        return value <= max ? (int)value : throw new FormatException($"{field} {value} is larger than {max}");
    }

    public long ReadSigned(string field)
    {
        ulong value = ReadVarint(field);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public int ReadInt(string field)
    {
        long value = ReadSigned(field);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new FormatException($"{field} is out of range");
    }

    public double ReadDouble(string field)
    {
        if (_bytes.Length - _position < 8)
        {
            throw new FormatException($"snapshot ends before {field}");
        }

        double value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(_bytes.Slice(_position, 8)));
        _position += 8;
        return value;
    }

    /// <summary>Reads a histogram written by <see cref="ByteWriter.WriteSnapshot"/> into <paramref name="cells"/>.</summary>
    /// <summary>Reads one slice's buckets, checked, into <paramref name="cells"/>; with null, only checks and skips them.</summary>
    public void ReadCellsInto(HistogramCells? cells)
    {
        int scale = ReadInt("histogram scale");
        if (scale < ExponentialIndexer.MinScale || scale > ExponentialIndexer.MaxTableScale)
        {
            throw new FormatException($"histogram scale {scale} is out of range");
        }

        long zero = ReadCount("zero count");
        cells?.AddZero(zero);
        int offset = ReadInt("bucket offset");
        int length = ReadLength("bucket count", _bytes.Length - _position);
        var (min, max) = ExponentialIndexer.IndexRange(scale);
        if (length > 0 && (offset < min || (long)offset + length - 1 > max))
        {
            throw new FormatException($"bucket indexes {offset}..{(long)offset + length - 1} are outside scale {scale}");
        }

        for (int i = 0; i < length; i++)
        {
            long count = ReadCount("bucket");
            if (count != 0)
            {
                cells?.AddBucket(scale, offset + i, count);
            }
        }
    }
}
