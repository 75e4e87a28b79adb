using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace SloMonitor.Otlp;

/// <summary>
/// What the wire walks need to know of a message type: for each known field number its name, the wire type its
/// declaration implies, whether it may come packed, whether it is a string and, for messages, their own shape.
/// Built once per descriptor from Google.Protobuf's reflection.
/// </summary>
internal sealed record WireShape(string Name, WireField?[] Fields)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private static readonly ConcurrentDictionary<MessageDescriptor, WireShape> Shapes = new();

    public WireField? Field(int number) => (uint)number < (uint)Fields.Length ? Fields[number] : null;

    public static WireShape Of(MessageDescriptor descriptor)
    {
        if (Shapes.TryGetValue(descriptor, out var shape))
        {
            return shape;
        }

        lock (Shapes)
        {
            var built = new Dictionary<MessageDescriptor, WireShape>();
            Build(descriptor, built);
            foreach (var (key, value) in built)
            {
                Shapes.TryAdd(key, value);
            }

            return Shapes[descriptor];
        }
    }

    // Messages nest recursively (AnyValue, ArrayValue): a shape is registered before its fields are filled in.
    private static WireShape Build(MessageDescriptor descriptor, Dictionary<MessageDescriptor, WireShape> built)
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

        var shape = new WireShape(descriptor.Name, new WireField?[max + 1]);
        built.Add(descriptor, shape);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var wireType = WireTypeOf(field.FieldType);
            shape.Fields[field.FieldNumber] = new WireField(
                field.Name,
                wireType,
                field.IsRepeated && wireType != LengthDelimited,
                field.FieldType == FieldType.String,
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
}

internal sealed record WireField(string Name, int WireType, bool Packable, bool IsString, WireShape? Nested);
