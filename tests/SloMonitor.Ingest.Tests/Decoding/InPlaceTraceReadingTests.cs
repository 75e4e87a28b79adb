using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Ingest.Tests.Support.Reference;

namespace SloMonitor.Ingest.Tests.Decoding;

/// <summary>
/// The in-place trace reader against Google.Protobuf as the oracle (<see cref="MessageTraceReading"/>, how requests
/// were read before): over the same bytes, the same refusals with the same messages, the same counts and first
/// rejection, the same events with the same fields and attribute values.
/// </summary>
public sealed class InPlaceTraceReadingTests
{
    private static readonly FakeTimeProvider Time = new(IngestorUnderTest.Started);

    private static readonly IngestOptions Options = new() { MaxAttributesPerItem = 6 };

    private static long NowNano => Requests.UnixNano(IngestorUnderTest.Started);

    [Fact]
    public void RandomValidRequestsGiveTheSameEventsAttributesCountsAndMessagesAsTheMessageBasedReading()
    {
        var requests = new RandomTraceRequests(seed: 18, NowNano);
        var applied = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = requests.Next();
            var expected = MessageTraceReading.Read(bytes, Options, Time);
            Assert.StartsWith("accepted", expected, StringComparison.Ordinal);
            Assert.Equal(expected, InPlaceTraceReading.Read(bytes, Options, Time));
            applied += expected.Contains("\nspan ", StringComparison.Ordinal) ? 1 : 0;
        }

        // The generator must reach the interesting cases, not only empty or wholly rejected requests.
        Assert.True(applied > 1000, $"only {applied} requests delivered events");
    }

    [Fact]
    public void MutatedRequestsAreRefusedOrAppliedExactlyAsTheMessageBasedReadingDoes()
    {
        var requests = new RandomTraceRequests(seed: 1818, NowNano);
        var random = new Random(1818);
        var refused = 0;
        for (var i = 0; i < 6000; i++)
        {
            var bytes = Mutate(requests.Next(), random);
            var expected = MessageTraceReading.Read(bytes, Options, Time);
            Assert.Equal(expected, InPlaceTraceReading.Read(bytes, Options, Time));
            refused += expected.StartsWith("refused", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.True(refused > 1000, $"only {refused} mutated requests were refused");
    }

    public static TheoryData<string> MalformedCorpus() => new(Malformed.Keys);

    [Theory]
    [MemberData(nameof(MalformedCorpus))]
    public void EveryRequestOfTheMalformedCorpusGetsTheRefusalAndMessageItGotBefore(string name)
    {
        var bytes = Malformed[name]();

        var expected = MessageTraceReading.Read(bytes, Options, Time);

        Assert.StartsWith("refused OtlpDecodeException: malformed protobuf: ", expected, StringComparison.Ordinal);
        Assert.Equal(expected, InPlaceTraceReading.Read(bytes, Options, Time));
    }

    public static TheoryData<string> OddButValid() => new(Odd.Keys);

    /// <summary>Bytes the strict check leaves to Google.Protobuf, which accepts them: read from its re-encoding.</summary>
    [Theory]
    [MemberData(nameof(OddButValid))]
    public void RequestsOutsideTheStrictRulesThatGoogleProtobufAcceptsAreAppliedAsBefore(string name)
    {
        var bytes = Odd[name]();

        var expected = MessageTraceReading.Read(bytes, Options, Time);

        Assert.StartsWith("accepted 1 rejected 0", expected, StringComparison.Ordinal);
        Assert.Equal(expected, InPlaceTraceReading.Read(bytes, Options, Time));
    }

    private static readonly Dictionary<string, Func<byte[]>> Malformed = new()
    {
        ["truncated"] = () => Valid()[..100],
        ["wrong wire type at the top"] = () => [0x08, 0x01],
        ["wrong wire type in a span"] = () => Nest([0x28, 0x01]),
        ["oversized varint"] = () => [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        ["deeply nested AnyValue"] = () => Payloads.DeeplyNestedAnyValue(200),
        ["tag with field number 0"] = () => [0x02, 0x00],
        ["wire type 6"] = () => [0x0E, 0x00],
        ["wire type 7"] = () => [0x0F, 0x00],
        ["start group"] = () => [0x0B, 0x0C],
        ["end group"] = () => [0x0C],
        ["group inside a span"] = () => Nest([0x83, 0x06, 0x84, 0x06]),
        ["length beyond the message"] = () => Nest([0x2A, 0x7F, 0x41]),
        ["negative length"] = () => [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        ["truncated fixed64 time"] = () => Nest([0x39, 0x01, 0x02]),
        ["packed start time"] = () => Nest([0x3A, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]),
        ["attribute key sent as a varint"] = () => Nest([0x4A, 0x02, 0x08, 0x01]),
        ["status code sent as fixed32"] = () => Nest([0x7A, 0x05, 0x1D, 0x01, 0x00, 0x00, 0x00]),
        ["invalid UTF-8 in the span name"] = () =>
        {
            var span = ValidSpanBytes();
            var name = Array.IndexOf(span, (byte)'G');
            span[name] = 0xC3;
            span[name + 1] = 0x28;
            return Nest(span);
        },
    };

    private static readonly Dictionary<string, Func<byte[]>> Odd = new()
    {
        ["a ten-byte length varint"] = () =>
        {
            var span = ValidSpanBytes();
            return Nest(span, overlongSpanLength: true);
        },
        ["a five-byte tag varint"] = () => [.. Valid(1), 0xE0, 0x80, 0x80, 0x80, 0x00, 0x01],
        // Six levels to the attribute's value, two more per array: 88 levels, over 64, under Google.Protobuf's 100.
        ["nesting deeper than the strict check, within Google.Protobuf's limit"] = () => Nested(41),
    };

    private static byte[] Valid(int spans = 3)
    {
        var list = new Otlp.Trace.Span[spans];
        for (var i = 0; i < spans; i++)
        {
            list[i] = Requests.Span("GET /cart", NowNano - 1_000_000_000, 0.1, Requests.Attr("http.route", "/cart"));
        }

        return Requests.Traces(Requests.Resource("checkout"), list).ToByteArray();
    }

    private static byte[] Nested(int depth)
    {
        var value = new Otlp.Common.AnyValue { StringValue = "leaf" };
        for (var i = 0; i < depth; i++)
        {
            value = new Otlp.Common.AnyValue { ArrayValue = new Otlp.Common.ArrayValue { Values = { value } } };
        }

        var span = Requests.Span("nested", NowNano - 1_000_000_000);
        span.Attributes.Add(new Otlp.Common.KeyValue { Key = "deep", Value = value });
        return Requests.Traces(Requests.Resource("checkout"), span).ToByteArray();
    }

    private static byte[] ValidSpanBytes() => Requests.Span("GET /cart", NowNano - 1_000_000_000, 0.1, Requests.Attr("http.route", "/cart")).ToByteArray();

    /// <summary>ExportTraceServiceRequest { resource_spans { resource(service.name) scope_spans { spans { <paramref name="span"/> } } } }.</summary>
    private static byte[] Nest(byte[] span, bool overlongSpanLength = false)
    {
        byte[] spanLength = overlongSpanLength
            ? [(byte)(0x80 | (span.Length & 0x7F)), (byte)(0x80 | (span.Length >> 7)), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]
            : Varint(span.Length);
        byte[] scopeSpans = [0x12, .. spanLength, .. span];
        var resource = Requests.Resource("checkout").ToByteArray();
        byte[] resourceSpans = [0x0A, .. Varint(resource.Length), .. resource, 0x12, .. Varint(scopeSpans.Length), .. scopeSpans];
        return [0x0A, .. Varint(resourceSpans.Length), .. resourceSpans];
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        if (bytes.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        var list = new List<byte>(bytes);
        for (var n = random.Next(1, 4); n > 0 && list.Count > 0; n--)
        {
            var at = random.Next(list.Count);
            switch (random.Next(0, 6))
            {
                case 0:
                    list[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    list[at] = (byte)random.Next(256);
                    break;
                case 2:
                    list.RemoveRange(at, Math.Min(list.Count - at, random.Next(1, 4)));
                    break;
                case 3:
                    list.Insert(at, (byte)random.Next(256));
                    break;
                case 4:
                    list.RemoveRange(at, list.Count - at);
                    break;
                default:
                    list.Insert(at, Pick(random, [0x80, 0xFF, 0x00, 0x0A, 0x12, 0x2A, 0x4A]));
                    break;
            }
        }

        return [.. list];
    }

    private static byte Pick(Random random, byte[] choices) => choices[random.Next(choices.Length)];
}
