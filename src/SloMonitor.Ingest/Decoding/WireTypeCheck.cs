using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace SloMonitor.Ingest;

/// <summary>
/// Checks that every known field of a message (and of its nested messages) arrived with the wire type its
/// declaration implies; repeated numbers may also come packed. Runs after a successful parse, so lengths and
/// nesting are already known to be sound.
/// </summary>
internal static class WireTypeCheck
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    private static readonly ConcurrentDictionary<MessageDescriptor, Shape> Shapes = new();

    public static string? Check(ReadOnlySpan<byte> data, MessageDescriptor descriptor)
    {
        if (!Shapes.TryGetValue(descriptor, out var shape))
        {
            lock (Shapes)
            {
                var built = new Dictionary<MessageDescriptor, Shape>();
                shape = Build(descriptor, built);
                foreach (var (key, value) in built)
                {
                    Shapes.TryAdd(key, value);
                }

                shape = Shapes[descriptor];
            }
        }

        return Check(data, shape);
    }

    // Bounds are checked again here although the parser accepted the bytes: the parser reads a length as the low 32
    // bits of its varint, so a varint longer than that (found by fuzzing) would send this walk elsewhere.
    private static string? Check(ReadOnlySpan<byte> data, Shape shape)
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
            var field = number < shape.Fields.Length ? shape.Fields[number] : null;
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

    private static string Truncated(int number, Shape shape) => $"field {number} of {shape.Name} is truncated or declares a length beyond its message";

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

    // Messages nest recursively (AnyValue, ArrayValue): a shape is registered before its fields are filled in.
    private static Shape Build(MessageDescriptor descriptor, Dictionary<MessageDescriptor, Shape> built)
    {
        if (built.TryGetValue(descriptor, out var known) || Shapes.TryGetValue(descriptor, out known))
        {
            return known;
        }

        var max = 0;
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            max = Math.Max(max, field.FieldNumber);
        }

        var shape = new Shape(descriptor.Name, new FieldShape?[max + 1]);
        built.Add(descriptor, shape);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var wireType = WireTypeOf(field.FieldType);
            shape.Fields[field.FieldNumber] = new FieldShape(
                field.Name,
                wireType,
                field.IsRepeated && wireType != LengthDelimited,
                field.FieldType == FieldType.Message ? Build(field.MessageType, built) : null);
        }

        return shape;
    }

    private static int WireTypeOf(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group => LengthDelimited,
        _ => Varint,
    };

    private sealed record Shape(string Name, FieldShape?[] Fields);

    private sealed record FieldShape(string Name, int WireType, bool Packable, Shape? Nested);
}
