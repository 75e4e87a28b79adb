using System.Globalization;
using System.Text;
using Google.Protobuf.Collections;
using SloMonitor.Otlp.Common;

namespace SloMonitor.Otlp;

/// <summary>Attribute lookup and invariant text formatting of OTLP values, shared by the event views.</summary>
internal static class AttributeText
{
    public static bool TryFind(RepeatedField<KeyValue>? attributes, string key, out string value)
    {
        if (attributes is not null)
        {
            for (var i = 0; i < attributes.Count; i++)
            {
                var kv = attributes[i];
                if (string.Equals(kv.Key, key, StringComparison.Ordinal))
                {
                    value = Format(kv.Value);
                    return true;
                }
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>
    /// Like <see cref="TryFind(RepeatedField{KeyValue}?, string, out string)"/> without allocating for strings,
    /// booleans and numbers: a string's own characters, or a number formatted into <paramref name="scratch"/>
    /// (at least 32 chars). Arrays and maps are formatted as <see cref="Format"/> does (allocating).
    /// </summary>
    public static bool TryFindText(RepeatedField<KeyValue>? attributes, string key, Span<char> scratch, out ReadOnlySpan<char> text)
    {
        if (attributes is not null)
        {
            for (var i = 0; i < attributes.Count; i++)
            {
                var kv = attributes[i];
                if (string.Equals(kv.Key, key, StringComparison.Ordinal))
                {
                    text = FormatText(kv.Value, scratch);
                    return true;
                }
            }
        }

        text = default;
        return false;
    }

    private static ReadOnlySpan<char> FormatText(AnyValue? value, Span<char> scratch)
    {
        int written;
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue when value.IntValue.TryFormat(scratch, out written, default, CultureInfo.InvariantCulture):
                return scratch[..written];
            case AnyValue.ValueOneofCase.DoubleValue when value.DoubleValue.TryFormat(scratch, out written, "R", CultureInfo.InvariantCulture):
                return scratch[..written];
            default:
                return Format(value);
        }
    }

    /// <summary>The value of a string attribute, or null when absent or not a non-empty string.</summary>
    public static string? FindString(RepeatedField<KeyValue>? attributes, string key)
    {
        if (attributes is null)
        {
            return null;
        }

        for (var i = 0; i < attributes.Count; i++)
        {
            var kv = attributes[i];
            if (string.Equals(kv.Key, key, StringComparison.Ordinal))
            {
                return kv.Value is { ValueCase: AnyValue.ValueOneofCase.StringValue } v && v.StringValue.Length > 0
                    ? v.StringValue
                    : null;
            }
        }

        return null;
    }

    public static string Format(AnyValue? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "true" : "false";
            case AnyValue.ValueOneofCase.IntValue:
                return value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return value.DoubleValue.ToString("R", CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.BytesValue:
                return value.BytesValue.ToBase64();
            case AnyValue.ValueOneofCase.None or AnyValue.ValueOneofCase.StringValueStrindex:
                // An index into a dictionary that trace requests do not carry: nothing to show.
                return string.Empty;
            default:
                var builder = new StringBuilder();
                AppendJson(builder, value);
                return builder.ToString();
        }
    }

    public static string Of(SpanKind kind) => kind switch
    {
        SpanKind.Internal => "internal",
        SpanKind.Server => "server",
        SpanKind.Client => "client",
        SpanKind.Producer => "producer",
        SpanKind.Consumer => "consumer",
        _ => "unspecified",
    };

    public static string Of(SpanStatusCode code) => code switch
    {
        SpanStatusCode.Ok => "ok",
        SpanStatusCode.Error => "error",
        _ => "unset",
    };

    public static ReadOnlySpan<byte> Utf8Of(SpanKind kind) => kind switch
    {
        SpanKind.Internal => "internal"u8,
        SpanKind.Server => "server"u8,
        SpanKind.Client => "client"u8,
        SpanKind.Producer => "producer"u8,
        SpanKind.Consumer => "consumer"u8,
        _ => "unspecified"u8,
    };

    public static ReadOnlySpan<byte> Utf8Of(SpanStatusCode code) => code switch
    {
        SpanStatusCode.Ok => "ok"u8,
        SpanStatusCode.Error => "error"u8,
        _ => "unset"u8,
    };

    public static void AddAll(RepeatedField<KeyValue> target, IEnumerable<KeyValuePair<string, string>>? attributes)
    {
        if (attributes is null)
        {
            return;
        }

        foreach (var (key, text) in attributes)
        {
            target.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = text } });
        }
    }

    // Arrays and key-value lists are rare in SLO selectors; they are rendered as compact JSON.
    private static void AppendJson(StringBuilder builder, AnyValue value)
    {
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.ArrayValue:
                builder.Append('[');
                for (var i = 0; i < value.ArrayValue.Values.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    AppendJson(builder, value.ArrayValue.Values[i]);
                }

                builder.Append(']');
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                builder.Append('{');
                for (var i = 0; i < value.KvlistValue.Values.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    var kv = value.KvlistValue.Values[i];
                    AppendQuoted(builder, kv.Key);
                    builder.Append(':');
                    AppendJson(builder, kv.Value ?? new AnyValue());
                }

                builder.Append('}');
                break;
            case AnyValue.ValueOneofCase.StringValue:
            case AnyValue.ValueOneofCase.BytesValue:
                AppendQuoted(builder, Format(value));
                break;
            case AnyValue.ValueOneofCase.None:
                builder.Append("null");
                break;
            default:
                builder.Append(Format(value));
                break;
        }
    }

    private static void AppendQuoted(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }
}
