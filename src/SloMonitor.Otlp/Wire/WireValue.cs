using System.Buffers.Text;
using System.Globalization;
using System.Text;
using SloMonitor.Otlp.Common;

namespace SloMonitor.Otlp;

/// <summary>
/// The value of one KeyValue read in place: its last oneof field wins, as in Google.Protobuf's parser. Arrays,
/// key-value lists and other rare cases are left to Google.Protobuf (<see cref="Complex"/>), which also merges them
/// as its parser does when a value arrives in several pieces.
/// </summary>
internal readonly struct WireValue
{
    private readonly WireValueKind _kind;
    private readonly WireSlice _bytes;
    private readonly ulong _raw;

    private WireValue(WireValueKind kind, WireSlice bytes, ulong raw)
    {
        _kind = kind;
        _bytes = bytes;
        _raw = raw;
    }

    public bool IsNonEmptyString => _kind == WireValueKind.String && _bytes.Length > 0;

    /// <summary>The string value's UTF-8 bytes (for <see cref="IsNonEmptyString"/>).</summary>
    public WireSlice StringBytes => _bytes;

    /// <summary>Reads the value field(s) of the KeyValue message <paramref name="keyValue"/>.</summary>
    public static WireValue Of(ReadOnlySpan<byte> buffer, WireSlice keyValue)
    {
        var kind = WireValueKind.None;
        var bytes = default(WireSlice);
        var raw = 0UL;
        var reader = new WireReader(buffer, keyValue);
        while (reader.Next(out var field, out var wireType))
        {
            if (field != TraceFields.KeyValueValue)
            {
                reader.Skip(wireType);
                continue;
            }

            var any = new WireReader(buffer, reader.Bytes());
            while (any.Next(out field, out wireType))
            {
                switch (field)
                {
                    case TraceFields.AnyString:
                        (kind, bytes) = (WireValueKind.String, any.Bytes());
                        break;
                    case TraceFields.AnyBytes:
                        (kind, bytes) = (WireValueKind.Bytes, any.Bytes());
                        break;
                    case TraceFields.AnyBool:
                        (kind, raw) = (WireValueKind.Bool, any.Varint());
                        break;
                    case TraceFields.AnyInt:
                        (kind, raw) = (WireValueKind.Int, any.Varint());
                        break;
                    case TraceFields.AnyDouble:
                        (kind, raw) = (WireValueKind.Double, any.Fixed64());
                        break;
                    case TraceFields.AnyArray or TraceFields.AnyKvlist or 8:
                        // Arrays and lists (which merge across pieces) and string_value_strindex.
                        (kind, bytes) = (WireValueKind.Complex, keyValue);
                        any.Skip(wireType);
                        break;
                    default:
                        any.Skip(wireType);
                        break;
                }
            }
        }

        return new WireValue(kind, bytes, raw);
    }

    /// <summary>The value as <see cref="AttributeText.Format"/> writes it.</summary>
    public string ToText(ReadOnlySpan<byte> buffer)
    {
        switch (_kind)
        {
            case WireValueKind.String:
                return Encoding.UTF8.GetString(_bytes.Of(buffer));
            case WireValueKind.None:
                return string.Empty;
            case WireValueKind.Complex:
                return AttributeText.Format(KeyValue.Parser.ParseFrom(_bytes.Of(buffer)).Value);
            default:
                Span<byte> scratch = stackalloc byte[32];
                return Encoding.UTF8.GetString(Format(buffer, scratch));
        }
    }

    /// <summary>
    /// The value as text without allocating for strings that fit <paramref name="scratch"/> (at least 32 chars),
    /// booleans and numbers; a longer string, bytes and complex values are made into a string.
    /// </summary>
    public ReadOnlySpan<char> ToText(ReadOnlySpan<byte> buffer, Span<char> scratch)
    {
        switch (_kind)
        {
            case WireValueKind.String:
                var utf8 = _bytes.Of(buffer);
                return utf8.Length <= scratch.Length ? scratch[..Encoding.UTF8.GetChars(utf8, scratch)] : Encoding.UTF8.GetString(utf8);
            case WireValueKind.Bool:
                return _raw != 0 ? "true" : "false";
            case WireValueKind.Int when ((long)_raw).TryFormat(scratch, out var written, default, CultureInfo.InvariantCulture):
                return scratch[..written];
            case WireValueKind.Double when BitConverter.UInt64BitsToDouble(_raw).TryFormat(scratch, out var written, "R", CultureInfo.InvariantCulture):
                return scratch[..written];
            default:
                return ToText(buffer);
        }
    }

    /// <summary>
    /// The value as UTF-8: a string's own bytes, booleans and numbers formatted into <paramref name="scratch"/> (at
    /// least 32 bytes); bytes and complex values are made into a new array.
    /// </summary>
    public ReadOnlySpan<byte> ToUtf8(ReadOnlySpan<byte> buffer, Span<byte> scratch) => _kind switch
    {
        WireValueKind.String => _bytes.Of(buffer),
        WireValueKind.None => [],
        WireValueKind.Complex => Encoding.UTF8.GetBytes(ToText(buffer)),
        _ => Format(buffer, scratch),
    };

    private ReadOnlySpan<byte> Format(ReadOnlySpan<byte> buffer, Span<byte> scratch)
    {
        int written;
        switch (_kind)
        {
            case WireValueKind.Bool:
                return _raw != 0 ? "true"u8 : "false"u8;
            case WireValueKind.Int when ((long)_raw).TryFormat(scratch, out written, default, CultureInfo.InvariantCulture):
                return scratch[..written];
            case WireValueKind.Double when BitConverter.UInt64BitsToDouble(_raw).TryFormat(scratch, out written, "R", CultureInfo.InvariantCulture):
                return scratch[..written];
            case WireValueKind.Int:
                return Encoding.UTF8.GetBytes(((long)_raw).ToString(CultureInfo.InvariantCulture));
            case WireValueKind.Double:
                return Encoding.UTF8.GetBytes(BitConverter.UInt64BitsToDouble(_raw).ToString("R", CultureInfo.InvariantCulture));
            default:
                var bytes = _bytes.Of(buffer);
                var base64 = new byte[Base64.GetMaxEncodedToUtf8Length(bytes.Length)];
                Base64.EncodeToUtf8(bytes, base64, out _, out written);
                return base64.AsSpan(0, written);
        }
    }
}

internal enum WireValueKind : byte
{
    None,
    String,
    Bool,
    Int,
    Double,
    Bytes,
    Complex,
}
