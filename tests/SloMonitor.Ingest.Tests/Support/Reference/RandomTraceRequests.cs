using Google.Protobuf;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Resource;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Ingest.Tests.Support.Reference;

/// <summary>
/// Valid trace requests at random, written field by field: resources, scopes and spans sometimes sent in several
/// pieces (which Google.Protobuf merges: the last scalar wins, repeated fields add up), unknown fields here and there,
/// attribute values of every type, keys repeated between span and resource, spans both usable and not.
/// </summary>
internal sealed class RandomTraceRequests(int seed, long nowUnixNano)
{
    private static readonly string[] KeyChoices = ["service.name", "http.route", "tier", "k", "ключ", "n", "deep", "empty", "", "span.name"];
    private static readonly string[] TextChoices = ["", "checkout", "/cart", "GET /cart", "ünïcødé ✓", "a\"b\\c", "1.5", "true", "𝄞 clef", new string('x', 40)];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var output = new MemoryStream();
        var resources = _random.Next(0, 4);
        for (var r = 0; r < resources; r++)
        {
            WriteField(output, 1, ResourceSpans());
        }

        MaybeUnknown(output);
        return output.ToArray();
    }

    private byte[] ResourceSpans()
    {
        var output = new MemoryStream();
        var pieces = _random.Next(0, 10) switch { 0 => 0, 1 => 2, _ => 1 };
        for (var p = 0; p < pieces; p++)
        {
            WriteField(output, 1, Resource().ToByteArray());
        }

        var scopes = _random.Next(0, 4);
        for (var s = 0; s < scopes; s++)
        {
            WriteField(output, 2, ScopeSpans());
            MaybeUnknown(output);
        }

        return output.ToArray();
    }

    private Resource Resource()
    {
        var resource = new Resource { DroppedAttributesCount = (uint)_random.Next(0, 2) };
        switch (_random.Next(0, 8))
        {
            case 0:
                break;
            case 1:
                resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = string.Empty } });
                break;
            case 2:
                resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { IntValue = 7 } });
                break;
            default:
                resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = Pick(["checkout", "pay", "ünï"]) } });
                break;
        }

        AddAttributes(resource.Attributes, _random.Next(0, 4));
        return resource;
    }

    private byte[] ScopeSpans()
    {
        var output = new MemoryStream();
        var scopePieces = _random.Next(0, 6) switch { 0 => 0, 1 => 2, _ => 1 };
        for (var p = 0; p < scopePieces; p++)
        {
            var scope = new InstrumentationScope { Version = "1.0" };
            if (_random.Next(0, 3) > 0)
            {
                scope.Name = Pick(TextChoices);
            }

            WriteField(output, 1, scope.ToByteArray());
        }

        var spans = _random.Next(0, 6);
        for (var s = 0; s < spans; s++)
        {
            // A span in two pieces merges: the second's non-default fields win, attributes add up.
            var bytes = _random.Next(0, 6) == 0 ? [.. Span().ToByteArray(), .. Span().ToByteArray()] : Span().ToByteArray();
            WriteField(output, 2, bytes);
        }

        return output.ToArray();
    }

    private Span Span()
    {
        var end = _random.Next(0, 12) switch
        {
            0 => 0UL,
            1 => (ulong)(nowUnixNano + TimeSpan.FromDays(1).Ticks * 100),
            2 => (ulong)(nowUnixNano - TimeSpan.FromDays(400).Ticks * 100),
            _ => (ulong)(nowUnixNano - _random.NextInt64(0, 3_600_000_000_000)),
        };
        var start = _random.Next(0, 12) switch
        {
            0 => 0UL,
            1 => end + 1,
            _ => end - (ulong)_random.NextInt64(0, Math.Min((long)end, 5_000_000_000) + 1),
        };
        var span = new Span
        {
            Name = Pick(TextChoices),
            Kind = (Span.Types.SpanKind)_random.Next(0, 8),
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Flags = (uint)_random.Next(0, 3),
            TraceState = _random.Next(0, 4) == 0 ? "k=v" : string.Empty,
        };
        if (_random.Next(0, 4) > 0)
        {
            span.TraceId = ByteString.CopyFrom(Bytes(_random.Next(0, 5) == 0 ? _random.Next(0, 20) : 16));
            span.SpanId = ByteString.CopyFrom(Bytes(8));
        }

        if (_random.Next(0, 3) > 0)
        {
            span.Status = new Status { Code = (Status.Types.StatusCode)_random.Next(0, 4), Message = _random.Next(0, 3) == 0 ? "boom" : string.Empty };
        }

        AddAttributes(span.Attributes, _random.Next(0, 9));
        if (_random.Next(0, 4) == 0)
        {
            var spanEvent = new Span.Types.Event { Name = "exception", TimeUnixNano = end };
            AddAttributes(spanEvent.Attributes, 2);
            span.Events.Add(spanEvent);
        }

        if (_random.Next(0, 6) == 0)
        {
            span.Links.Add(new Span.Types.Link { TraceId = ByteString.CopyFrom(Bytes(16)), SpanId = ByteString.CopyFrom(Bytes(8)) });
        }

        return span;
    }

    private void AddAttributes(Google.Protobuf.Collections.RepeatedField<KeyValue> attributes, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var keyValue = new KeyValue { Key = Pick(KeyChoices) };
            if (_random.Next(0, 10) > 0)
            {
                keyValue.Value = Value(0);
            }

            attributes.Add(keyValue);
        }
    }

    private AnyValue Value(int depth) => _random.Next(0, depth > 2 ? 6 : 9) switch
    {
        0 => new AnyValue { BoolValue = _random.Next(0, 2) == 0 },
        1 => new AnyValue { IntValue = Pick([0L, -1L, 200L, long.MinValue, long.MaxValue, _random.NextInt64()]) },
        2 => new AnyValue { DoubleValue = Pick([0.0, -0.0, 0.1, 1e300, -2.5e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity, _random.NextDouble()]) },
        3 => new AnyValue { BytesValue = ByteString.CopyFrom(Bytes(_random.Next(0, 40))) },
        4 => new AnyValue(),
        6 => new AnyValue { ArrayValue = new ArrayValue { Values = { Value(depth + 1), Value(depth + 1) } } },
        7 => new AnyValue { KvlistValue = new KeyValueList { Values = { new KeyValue { Key = Pick(KeyChoices), Value = Value(depth + 1) } } } },
        8 => new AnyValue { StringValueStrindex = _random.Next(1, 5) },
        _ => new AnyValue { StringValue = Pick(TextChoices) },
    };

    private void MaybeUnknown(MemoryStream output)
    {
        if (_random.Next(0, 5) != 0)
        {
            return;
        }

        var number = _random.Next(100, 120);
        switch (_random.Next(0, 4))
        {
            case 0:
                WriteVarint(output, (ulong)number << 3);
                WriteVarint(output, (ulong)_random.NextInt64());
                break;
            case 1:
                WriteVarint(output, ((ulong)number << 3) | 1);
                output.Write(Bytes(8));
                break;
            case 2:
                WriteField(output, number, Bytes(_random.Next(0, 12)));
                break;
            default:
                WriteVarint(output, ((ulong)number << 3) | 5);
                output.Write(Bytes(4));
                break;
        }
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];

    private static void WriteField(MemoryStream output, int number, byte[] contents)
    {
        WriteVarint(output, ((ulong)number << 3) | 2);
        WriteVarint(output, (ulong)contents.Length);
        output.Write(contents);
    }

    private static void WriteVarint(MemoryStream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }
}
