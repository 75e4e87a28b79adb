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

    private static string? Check(ReadOnlySpan<byte> data, Shape shape)
    {
        var position = 0;
        while (position < data.Length)
        {
            var tag = ReadVarint(data, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            var field = number < shape.Fields.Length ? shape.Fields[number] : null;
            if (field is not null && wireType != field.WireType && !(field.Packable && wireType == LengthDelimited))
            {
                return $"field '{field.Name}' of {shape.Name} has wire type {wireType}, expected {field.WireType}";
            }

            switch (wireType)
            {
                case Varint:
                    ReadVarint(data, ref position);
                    break;
                case Fixed64:
                    position += 8;
                    break;
                case Fixed32:
                    position += 4;
                    break;
                case LengthDelimited:
                    var length = (int)ReadVarint(data, ref position);
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
                default:
                    // Groups are not part of OTLP; the parser already accepted or refused them.
                    return $"field {number} of {shape.Name} uses the unsupported group wire type";
            }
        }

        return null;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        return value;
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
