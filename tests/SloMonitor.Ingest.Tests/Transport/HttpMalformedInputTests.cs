using System.Net;
using System.Text;
using SloMonitor.Ingest.Tests.Support;
using RpcStatus = SloMonitor.Otlp.Rpc.Status;

namespace SloMonitor.Ingest.Tests.Transport;

/// <summary>
/// The malformed-input corpus over OTLP/HTTP: every bad body gets its documented status and a google.rpc.Status
/// naming the problem, nothing of it reaches the sink, and a valid request right after it succeeds.
/// </summary>
public sealed class HttpMalformedInputTests
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    // Payloads are built inside the test (not in the theory data) so that discovery stays fast.
    private static readonly Dictionary<string, (Func<byte[]> Body, string ContentType, string? Encoding, HttpStatusCode Status, string Message)> Cases = new()
    {
        ["truncated protobuf"] = (() => Payloads.ValidTraces()[..100], Protobuf, null, HttpStatusCode.BadRequest, "malformed protobuf"),
        // resource_spans (field 1) sent as a varint instead of a length-delimited message.
        ["wrong wire type at the top"] = (() => [0x08, 0x01], Protobuf, null, HttpStatusCode.BadRequest, "wire type"),
        ["wrong wire type in a span"] = (WrongWireTypeInSpan, Protobuf, null, HttpStatusCode.BadRequest, "field 'name' of Span has wire type 0"),
        ["oversized varint"] = (() => [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], Protobuf, null, HttpStatusCode.BadRequest, "malformed protobuf"),
        ["deeply nested AnyValue (protobuf)"] = (() => Payloads.DeeplyNestedAnyValue(200), Protobuf, null, HttpStatusCode.BadRequest, "malformed protobuf"),
        ["deeply nested AnyValue (JSON)"] = (() => Encoding.UTF8.GetBytes(Payloads.DeeplyNestedJson(100)), Json, null, HttpStatusCode.BadRequest, "depth"),
        ["invalid hex trace id"] = (() => JsonWith("5B8EFFF798038103D269B633813FC60C", "ZZ8EFFF798038103D269B633813FC60C"), Json, null, HttpStatusCode.BadRequest, "traceId"),
        ["span id of the wrong length"] = (() => JsonWith("EEE19B7EC3C1B174", "EEE19B"), Json, null, HttpStatusCode.BadRequest, "spanId"),
        ["JSON syntax error"] = (() => Encoding.UTF8.GetBytes("""{"resourceSpans":[{"scopeSpans":"""), Json, null, HttpStatusCode.BadRequest, "malformed JSON"),
        ["JSON of the wrong shape"] = (() => Encoding.UTF8.GetBytes("""{"resourceSpans":{"scopeSpans":[]}}"""), Json, null, HttpStatusCode.BadRequest, "resourceSpans"),
        ["negative unsigned 64-bit time"] = (() => JsonWith("\"startTimeUnixNano\":\"", "\"startTimeUnixNano\":\"-"), Json, null, HttpStatusCode.BadRequest, "startTimeUnixNano"),
        ["empty body"] = (() => [], Protobuf, null, HttpStatusCode.BadRequest, "empty"),
        ["invalid gzip"] = (() => [0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02], Protobuf, "gzip", HttpStatusCode.BadRequest, "gzip"),
        ["truncated gzip"] = (() => Payloads.Gzip(Payloads.ValidTraces())[..^6], Protobuf, "gzip", HttpStatusCode.BadRequest, "gzip"),
        ["gzip bomb"] = (() => Payloads.GzipBomb(64), Protobuf, "gzip", HttpStatusCode.RequestEntityTooLarge, "larger than the limit"),
        ["wrong content type"] = (() => Payloads.ValidTraces(), "text/plain", null, HttpStatusCode.UnsupportedMediaType, "Content-Type"),
        ["unsupported content encoding"] = (() => Payloads.ValidTraces(), Protobuf, "br", HttpStatusCode.UnsupportedMediaType, "Content-Encoding"),
    };

    public static TheoryData<string> Corpus() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task AMalformedRequestGetsItsDocumentedErrorAppliesNothingAndTheNextValidRequestSucceeds(string name)
    {
        var (makeBody, contentType, encoding, expected, messagePart) = Cases[name];
        var body = makeBody();
        await using var host = await IngestHost.StartAsync();
        using var client = host.CreateHttpClient();

        using var bad = await client.PostAsync("/v1/traces", Payloads.Content(body, contentType, encoding));
        Assert.Equal(expected, bad.StatusCode);
        var status = await ReadStatusAsync(bad);
        Assert.Contains(messagePart, status.Message, StringComparison.Ordinal);
        Assert.True(status.Code != 0, name);
        Assert.Empty(host.Sink.Spans);

        using var good = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(2), Protobuf));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(2, host.Sink.Spans.Count);
    }

    [Fact]
    public async Task ABodyOverTheConfiguredLimitGets413AndTheServiceStaysHealthy()
    {
        await using var host = await IngestHost.StartAsync(o => o.MaxBodyBytes = 4096);
        using var client = host.CreateHttpClient();

        using var tooLarge = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(200), Protobuf));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(8, (await ReadStatusAsync(tooLarge)).Code);

        using var good = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(2), Protobuf));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Theory]
    [InlineData(Protobuf)]
    [InlineData(Json)]
    public async Task AGzipBodyWithinTheLimitIsDecompressedAppliedAndAnsweredInTheRequestsEncoding(string contentType)
    {
        await using var host = await IngestHost.StartAsync();
        using var client = host.CreateHttpClient();
        var body = contentType == Json ? Encoding.UTF8.GetBytes(Payloads.ValidTracesJson()) : Payloads.ValidTraces(1);

        using var response = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.Gzip(body), contentType, "gzip"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("GET /cart", Assert.Single(host.Sink.Spans).Name);
    }

    private static async Task<RpcStatus> ReadStatusAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.Content.Headers.ContentType?.MediaType == Json
            ? Google.Protobuf.JsonParser.Default.Parse<RpcStatus>(Encoding.UTF8.GetString(bytes))
            : RpcStatus.Parser.ParseFrom(bytes);
    }

    private static byte[] JsonWith(string original, string replacement) =>
        Encoding.UTF8.GetBytes(Payloads.ValidTracesJson().Replace(original, replacement, StringComparison.Ordinal));

    private static byte[] WrongWireTypeInSpan()
    {
        // ExportTraceServiceRequest { resource_spans { scope_spans { spans { name: varint 1 } } } }
        byte[] span = [0x28, 0x01];
        byte[] scopeSpans = [0x12, (byte)span.Length, .. span];
        byte[] resourceSpans = [0x12, (byte)scopeSpans.Length, .. scopeSpans];
        return [0x0A, (byte)resourceSpans.Length, .. resourceSpans];
    }
}
