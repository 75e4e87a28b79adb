using System.Text.Json;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Resource;

namespace SloMonitor.Ingest;

/// <summary>OTLP JSON readers for the common messages: resource, scope, attributes and AnyValue.</summary>
internal static class CommonJson
{
    public static readonly JsonItemReader<KeyValue> KeyValueItem = ReadKeyValue;
    private static readonly JsonItemReader<AnyValue> AnyValueItem = ReadAnyValue;

    public static Resource Resource(ref Utf8JsonReader reader)
    {
        var resource = new Resource();
        JsonRead.StartObject(ref reader, "resource");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("attributes"u8))
            {
                JsonRead.Array(ref reader, resource.Attributes, KeyValueItem, "resource.attributes");
            }
            else if (reader.ValueTextEquals("droppedAttributesCount"u8))
            {
                resource.DroppedAttributesCount = JsonRead.UInt32(ref reader, "resource.droppedAttributesCount");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return resource;
    }

    public static InstrumentationScope Scope(ref Utf8JsonReader reader)
    {
        var scope = new InstrumentationScope();
        JsonRead.StartObject(ref reader, "scope");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                scope.Name = JsonRead.String(ref reader, "scope.name");
            }
            else if (reader.ValueTextEquals("version"u8))
            {
                scope.Version = JsonRead.String(ref reader, "scope.version");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                JsonRead.Array(ref reader, scope.Attributes, KeyValueItem, "scope.attributes");
            }
            else if (reader.ValueTextEquals("droppedAttributesCount"u8))
            {
                scope.DroppedAttributesCount = JsonRead.UInt32(ref reader, "scope.droppedAttributesCount");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return scope;
    }

    /// <summary>Reads an optional nested object: null when the value is JSON null.</summary>
    public static T? Optional<T>(ref Utf8JsonReader reader, JsonItemReader<T> item)
        where T : class
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : item(ref reader);
    }

    private static KeyValue ReadKeyValue(ref Utf8JsonReader reader)
    {
        var kv = new KeyValue();
        JsonRead.StartObject(ref reader, "attributes[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("key"u8))
            {
                kv.Key = JsonRead.String(ref reader, "key");
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                kv.Value = Optional(ref reader, AnyValueItem);
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return kv;
    }

    private static AnyValue ReadAnyValue(ref Utf8JsonReader reader)
    {
        var value = new AnyValue();
        JsonRead.StartObject(ref reader, "value");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("stringValue"u8))
            {
                value.StringValue = JsonRead.String(ref reader, "stringValue");
            }
            else if (reader.ValueTextEquals("intValue"u8))
            {
                value.IntValue = JsonRead.Int64(ref reader, "intValue");
            }
            else if (reader.ValueTextEquals("boolValue"u8))
            {
                value.BoolValue = JsonRead.Bool(ref reader, "boolValue");
            }
            else if (reader.ValueTextEquals("doubleValue"u8))
            {
                value.DoubleValue = JsonRead.Double(ref reader, "doubleValue");
            }
            else if (reader.ValueTextEquals("bytesValue"u8))
            {
                value.BytesValue = JsonRead.Base64(ref reader, "bytesValue");
            }
            else if (reader.ValueTextEquals("arrayValue"u8))
            {
                var array = new ArrayValue();
                reader.Read();
                JsonRead.StartObject(ref reader, "arrayValue");
                while (JsonRead.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("values"u8))
                    {
                        JsonRead.Array(ref reader, array.Values, AnyValueItem, "arrayValue.values");
                    }
                    else
                    {
                        JsonRead.SkipValue(ref reader);
                    }
                }

                value.ArrayValue = array;
            }
            else if (reader.ValueTextEquals("kvlistValue"u8))
            {
                var list = new KeyValueList();
                reader.Read();
                JsonRead.StartObject(ref reader, "kvlistValue");
                while (JsonRead.NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("values"u8))
                    {
                        JsonRead.Array(ref reader, list.Values, KeyValueItem, "kvlistValue.values");
                    }
                    else
                    {
                        JsonRead.SkipValue(ref reader);
                    }
                }

                value.KvlistValue = list;
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return value;
    }
}
