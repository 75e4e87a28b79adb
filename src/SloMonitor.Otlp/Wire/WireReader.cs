using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SloMonitor.Otlp;

/// <summary>A range of the request buffer: a message, a string or a bytes field's contents.</summary>
internal readonly record struct WireSlice(int Start, int Length)
{
    public int End => Start + Length;

    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => buffer.Slice(Start, Length);
}

/// <summary>
/// Walks the fields of one protobuf message inside a buffer that <see cref="WireValidator"/> accepted, so it does not
/// check tags, lengths or wire types again (span indexing still bounds every read). Positions are absolute in the
/// buffer, so slices stay valid for the buffer's owner.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _end;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer, WireSlice message)
    {
        _buffer = buffer;
        _position = message.Start;
        _end = message.End;
    }

    /// <summary>Where the next field's tag starts.</summary>
    public readonly int Position => _position;

    /// <summary>The next field's number and wire type; false at the end of the message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Next(out int field, out int wireType)
    {
        if (_position >= _end)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        var tag = (uint)Varint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Varint()
    {
        var b = _buffer[_position++];
        if (b < 0x80)
        {
            return b;
        }

        return VarintSlow(b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Fixed64()
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Fixed32()
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return value;
    }

    /// <summary>A length-delimited field's contents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WireSlice Bytes()
    {
        var length = (int)Varint();
        var slice = new WireSlice(_position, length);
        _position += length;
        return slice;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case WireShape.Varint:
                Varint();
                break;
            case WireShape.Fixed64:
                _position += 8;
                break;
            case WireShape.LengthDelimited:
                // The length first: `_position += Varint()` would add it to the position before the varint.
                var length = (int)Varint();
                _position += length;
                break;
            default:
                _position += 4;
                break;
        }
    }

    private ulong VarintSlow(byte first)
    {
        var value = (ulong)(first & 0x7F);
        for (var shift = 7; ; shift += 7)
        {
            var b = _buffer[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
