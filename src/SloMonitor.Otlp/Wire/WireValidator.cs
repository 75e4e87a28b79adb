using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace SloMonitor.Otlp;

/// <summary>
/// The strict check a request passes before it is read in place: every tag, length and varint well formed and
/// inside its message, every known field with its declared wire type (never packed, never a group), every known
/// string valid UTF-8 and nesting at most <see cref="MaxDepth"/> deep. Each rule is at least as strict as
/// Google.Protobuf's parser plus ingest's wire-type check (<c>WireTypeCheck</c>), so bytes it accepts are bytes they
/// accept too; what it refuses goes to them for the verdict and the error message.
/// </summary>
internal static class WireValidator
{
    /// <summary>Below Google.Protobuf's recursion limit of 100, so a request accepted here is never refused there.</summary>
    public const int MaxDepth = 64;

    public static bool IsWellFormed(ReadOnlySpan<byte> data, WireShape shape, int depthLeft = MaxDepth)
    {
        var position = 0;
        while (position < data.Length)
        {
            // A tag is a varint of at most 5 bytes below 2^32, with a field number other than 0.
            if (!TryReadVarint(data, ref position, 5, out var tag) || tag > uint.MaxValue || tag >> 3 == 0)
            {
                return false;
            }

            var wireType = (int)(tag & 7);
            var field = shape.Field((int)(tag >> 3));
            if (field is not null && wireType != field.WireType)
            {
                return false;
            }

            switch (wireType)
            {
                case WireShape.Varint:
                    if (!TryReadVarint(data, ref position, 10, out _))
                    {
                        return false;
                    }

                    break;
                case WireShape.Fixed64:
                    if (data.Length - position < 8)
                    {
                        return false;
                    }

                    position += 8;
                    break;
                case WireShape.Fixed32:
                    if (data.Length - position < 4)
                    {
                        return false;
                    }

                    position += 4;
                    break;
                case WireShape.LengthDelimited:
                    if (!TryReadVarint(data, ref position, 5, out var declared) || declared > (ulong)(data.Length - position))
                    {
                        return false;
                    }

                    var contents = data.Slice(position, (int)declared);
                    if (field?.Nested is { } nested)
                    {
                        if (depthLeft == 0 || !IsWellFormed(contents, nested, depthLeft - 1))
                        {
                            return false;
                        }
                    }
                    else if (field is { IsString: true } && !Utf8.IsValid(contents))
                    {
                        return false;
                    }

                    position += contents.Length;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, int maxBytes, out ulong value)
    {
        // Tags, lengths and most values are one byte.
        if ((uint)position < (uint)data.Length && data[position] < 0x80)
        {
            value = data[position++];
            return true;
        }

        return TryReadLongVarint(data, ref position, maxBytes, out value);
    }

    private static bool TryReadLongVarint(ReadOnlySpan<byte> data, ref int position, int maxBytes, out ulong value)
    {
        value = 0;
        var end = Math.Min(data.Length, position + maxBytes);
        for (var shift = 0; position < end; shift += 7)
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
