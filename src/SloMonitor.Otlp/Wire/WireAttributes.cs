namespace SloMonitor.Otlp;

/// <summary>
/// Attribute lookup in place: the first KeyValue of a repeated attributes field whose key (its last key field, as
/// Google.Protobuf reads it) equals the UTF-8 key. Keys are compared as bytes; nothing is decoded.
/// </summary>
internal static class WireAttributes
{
    public static bool TryFind(ReadOnlySpan<byte> buffer, WireSlice message, int attributesField, ReadOnlySpan<byte> key, out WireSlice keyValue)
    {
        var reader = new WireReader(buffer, message);
        while (reader.Next(out var field, out var wireType))
        {
            if (field != attributesField)
            {
                reader.Skip(wireType);
                continue;
            }

            var candidate = reader.Bytes();
            if (KeyOf(buffer, candidate).Of(buffer).SequenceEqual(key))
            {
                keyValue = candidate;
                return true;
            }
        }

        keyValue = default;
        return false;
    }

    /// <summary>
    /// Looks in the resource of a ResourceSpans message: a resource sent in several pieces is one, its attributes in
    /// the order they came (as Google.Protobuf merges them).
    /// </summary>
    public static bool TryFindInResource(ReadOnlySpan<byte> buffer, WireSlice resourceSpans, ReadOnlySpan<byte> key, out WireSlice keyValue)
    {
        var reader = new WireReader(buffer, resourceSpans);
        while (reader.Next(out var field, out var wireType))
        {
            if (field != TraceFields.ResourceSpansResource)
            {
                reader.Skip(wireType);
                continue;
            }

            if (TryFind(buffer, reader.Bytes(), TraceFields.ResourceAttributes, key, out keyValue))
            {
                return true;
            }
        }

        keyValue = default;
        return false;
    }

    private static WireSlice KeyOf(ReadOnlySpan<byte> buffer, WireSlice keyValue)
    {
        var key = default(WireSlice);
        var reader = new WireReader(buffer, keyValue);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == TraceFields.KeyValueKey)
            {
                key = reader.Bytes();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return key;
    }
}
