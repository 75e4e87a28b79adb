using Google.Protobuf.Reflection;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest;

/// <summary>
/// Checks that every known field of a message (and of its nested messages) arrived with the wire type its
/// declaration implies; repeated numbers may also come packed. Runs after a successful parse, so lengths and
/// nesting are already known to be sound.
/// </summary>
internal static class WireTypeCheck
{
    private const int Varint = WireShape.Varint;
    private const int Fixed64 = WireShape.Fixed64;
    private const int LengthDelimited = WireShape.LengthDelimited;
    private const int Fixed32 = WireShape.Fixed32;

    public static string? Check(ReadOnlySpan<byte> data, MessageDescriptor descriptor) => Check(data, WireShape.Of(descriptor));

    // Bounds are checked again here although the parser accepted the bytes: the parser reads a length as the low 32
    // bits of its varint, so a varint longer than that (found by fuzzing) would send this walk elsewhere.
    private static string? Check(ReadOnlySpan<byte> data, WireShape shape)
    {
        var position = 0;
        while (position < data.Length)
        {
            if (!TryReadVarint(data, ref position, out var tag) || tag >> 3 is 0 or > int.MaxValue)
            {
                return $"a field tag of {shape.Name} is malformed";
            }

            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            var field = shape.Field(number);
            if (field is not null && wireType != field.WireType && !(field.Packable && wireType == LengthDelimited))
            {
                return $"field '{field.Name}' of {shape.Name} has wire type {wireType}, expected {field.WireType}";
            }

            var remaining = data.Length - position;
            switch (wireType)
            {
                case Varint:
                    if (!TryReadVarint(data, ref position, out _))
                    {
                        return Truncated(number, shape);
                    }

                    break;
                case Fixed64 when remaining >= 8:
                    position += 8;
                    break;
                case Fixed32 when remaining >= 4:
                    position += 4;
                    break;
                case LengthDelimited:
                    if (!TryReadVarint(data, ref position, out var declared) || declared > (ulong)(data.Length - position))
                    {
                        return Truncated(number, shape);
                    }

                    var length = (int)declared;
                    if (field?.Nested is { } nested)
                    {
                        var problem = Check(data.Slice(position, length), nested);
                        if (problem is not null)
                        {
                            return problem;
                        }
                    }

                    position += length;
                    break;
                case Fixed64 or Fixed32:
                    return Truncated(number, shape);
                default:
                    // Groups are not part of OTLP; the parser already accepted or refused them.
                    return $"field {number} of {shape.Name} uses the unsupported group wire type";
            }
        }

        return null;
    }

    private static string Truncated(int number, WireShape shape) => $"field {number} of {shape.Name} is truncated or declares a length beyond its message";

    /// <summary>A varint of at most 10 bytes that ends inside <paramref name="data"/>.</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
