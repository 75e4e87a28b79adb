using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace SloMonitor.Ingest;

internal delegate T JsonItemReader<out T>(ref Utf8JsonReader reader);

/// <summary>
/// Token-level helpers for the OTLP JSON mapping: lowerCamelCase keys, 64-bit integers as strings or numbers,
/// enums as integers, trace and span ids as hex (where proto3 JSON would use base64), other bytes as base64.
/// Every failure names the field.
/// </summary>
internal static class JsonRead
{
    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.PropertyName => true,
            JsonTokenType.EndObject => false,
            _ => throw new OtlpDecodeException($"expected a property name, found {reader.TokenType}"),
        };
    }

    /// <summary>Moves from a property name to its value; false (value skipped) when the value is null.</summary>
    public static bool Value(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType != JsonTokenType.Null;
    }

    public static void StartObject(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Expected(field, "an object", ref reader);
        }
    }

    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    public static void Array<T>(ref Utf8JsonReader reader, RepeatedField<T> target, JsonItemReader<T> item, string field)
    {
        if (!Value(ref reader))
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Expected(field, "an array", ref reader);
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            target.Add(item(ref reader));
        }
    }

    public static string String(ref Utf8JsonReader reader, string field)
    {
        if (!Value(ref reader))
        {
            return string.Empty;
        }

        return reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Expected(field, "a string", ref reader);
    }

    public static bool Bool(ref Utf8JsonReader reader, string field)
    {
        if (!Value(ref reader))
        {
            return false;
        }

        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Expected(field, "true or false", ref reader),
        };
    }

    public static ulong UInt64(ref Utf8JsonReader reader, string field)
    {
        if (!Value(ref reader))
        {
            return 0;
        }

        ulong value;
        var ok = reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetUInt64(out value),
            JsonTokenType.String => TryParseUnsigned(ref reader, out value),
            _ => (value = 0) == 1,
        };
        return ok ? value : throw Expected(field, "an unsigned 64-bit integer (number or string)", ref reader);
    }

    public static long Int64(ref Utf8JsonReader reader, string field)
    {
        if (!Value(ref reader))
        {
            return 0;
        }

        long value;
        var ok = reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt64(out value),
            JsonTokenType.String => TryParseSigned(ref reader, out value),
            _ => (value = 0) == 1,
        };
        return ok ? value : throw Expected(field, "a 64-bit integer (number or string)", ref reader);
    }

    public static int Int32(ref Utf8JsonReader reader, string field)
    {
        var value = Int64(ref reader, field);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new OtlpDecodeException($"field '{field}': {value} is out of range for a 32-bit integer");
    }

    public static uint UInt32(ref Utf8JsonReader reader, string field)
    {
        var value = UInt64(ref reader, field);
        return value <= uint.MaxValue ? (uint)value : throw new OtlpDecodeException($"field '{field}': {value} is out of range for an unsigned 32-bit integer");
    }

    /// <summary>An enum field: the OTLP JSON mapping sends enums as integers.</summary>
    public static int Enum(ref Utf8JsonReader reader, string field, int max)
    {
        var value = Int32(ref reader, field);
        return value >= 0 && value <= max ? value : throw new OtlpDecodeException($"field '{field}': {value} is not a known value (0 to {max})");
    }

    public static double Double(ref Utf8JsonReader reader, string field)
    {
        if (!Value(ref reader))
        {
            return 0;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            switch (text)
            {
                case "NaN":
                    return double.NaN;
                case "Infinity":
                    return double.PositiveInfinity;
                case "-Infinity":
                    return double.NegativeInfinity;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        throw Expected(field, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", ref reader);
    }

    /// <summary>A trace or span id: hex, exactly <paramref name="bytes"/> bytes long, or empty.</summary>
    public static ByteString HexId(ref Utf8JsonReader reader, string field, int bytes)
    {
        if (!Value(ref reader))
        {
            return ByteString.Empty;
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            throw Expected(field, $"a string of {bytes * 2} hex digits", ref reader);
        }

        var text = reader.ValueSpan;
        if (text.Length == 0)
        {
            return ByteString.Empty;
        }

        if (text.Length != bytes * 2)
        {
            throw new OtlpDecodeException($"field '{field}': expected {bytes * 2} hex digits, found {text.Length} characters");
        }

        Span<byte> id = stackalloc byte[16];
        for (var i = 0; i < bytes; i++)
        {
            var high = HexDigit(text[2 * i]);
            var low = HexDigit(text[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                throw new OtlpDecodeException($"field '{field}': '{System.Text.Encoding.UTF8.GetString(text)}' is not hex");
            }

            id[i] = (byte)((high << 4) | low);
        }

        return ByteString.CopyFrom(id[..bytes]);
    }

    public static ByteString Base64(ref Utf8JsonReader reader, string field)
    {
        if (!Value(ref reader))
        {
            return ByteString.Empty;
        }

        return reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes)
            ? ByteString.CopyFrom(bytes)
            : throw Expected(field, "base64 text", ref reader);
    }

    public static void UInt64Array(ref Utf8JsonReader reader, RepeatedField<ulong> target, string field)
    {
        if (!Value(ref reader))
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Expected(field, "an array", ref reader);
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ulong value;
            var ok = reader.TokenType switch
            {
                JsonTokenType.Number => reader.TryGetUInt64(out value),
                JsonTokenType.String => TryParseUnsigned(ref reader, out value),
                _ => (value = 0) == 1,
            };
            target.Add(ok ? value : throw Expected(field, "unsigned 64-bit integers", ref reader));
        }
    }

    public static void DoubleArray(ref Utf8JsonReader reader, RepeatedField<double> target, string field)
    {
        if (!Value(ref reader))
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Expected(field, "an array", ref reader);
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            target.Add(reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value)
                ? value
                : throw Expected(field, "numbers", ref reader));
        }
    }

    public static OtlpDecodeException Expected(string field, string what, ref Utf8JsonReader reader) =>
        new($"field '{field}': expected {what}, found {Describe(ref reader)}");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String or JsonTokenType.Number => $"{reader.TokenType.ToString().ToLowerInvariant()} {Shorten(System.Text.Encoding.UTF8.GetString(reader.ValueSpan))}",
        _ => reader.TokenType.ToString(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…'";

    private static bool TryParseUnsigned(ref Utf8JsonReader reader, out ulong value) =>
        !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out value, out var used) && used == reader.ValueSpan.Length
            || (value = 0) == 1;

    private static bool TryParseSigned(ref Utf8JsonReader reader, out long value) =>
        !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out value, out var used) && used == reader.ValueSpan.Length
            || (value = 0) == 1;

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
