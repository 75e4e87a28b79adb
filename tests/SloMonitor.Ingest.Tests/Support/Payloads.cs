using System.IO.Compression;
using System.Net.Http.Headers;
using Google.Protobuf;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Ingest.Tests.Support;

/// <summary>Valid and malformed request bodies for the transport tests.</summary>
internal static class Payloads
{
    public static byte[] ValidTraces(int spans = 3, string service = "checkout")
    {
        var end = Requests.UnixNano(DateTimeOffset.UtcNow);
        var list = new Span[spans];
        for (var i = 0; i < spans; i++)
        {
            list[i] = Requests.Span("GET /cart", end, 0.1, Requests.Attr("http.route", "/cart"));
        }

        return Requests.Traces(Requests.Resource(service), list).ToByteArray();
    }

    public static string ValidTracesJson(string service = "checkout")
    {
        var end = Requests.UnixNano(DateTimeOffset.UtcNow);
        return $$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}}]},
              "scopeSpans":[{"scope":{"name":"json-test"},"spans":[
                {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"GET /cart","kind":2,
                 "startTimeUnixNano":"{{{end - 250_000_000}}}","endTimeUnixNano":{{{end}}},
                 "attributes":[{"key":"http.response.status_code","value":{"intValue":"200"}}],"status":{"code":1}}]}]}]}
            """;
    }

    /// <summary>A span whose attribute value nests arrays <paramref name="depth"/> levels deep.</summary>
    public static byte[] DeeplyNestedAnyValue(int depth)
    {
        var value = new AnyValue { StringValue = "leaf" };
        for (var i = 0; i < depth; i++)
        {
            value = new AnyValue { ArrayValue = new ArrayValue { Values = { value } } };
        }

        var span = Requests.Span("nested", Requests.UnixNano(DateTimeOffset.UtcNow));
        span.Attributes.Add(new KeyValue { Key = "deep", Value = value });
        return Requests.Traces(Requests.Resource("checkout"), span).ToByteArray();
    }

    public static string DeeplyNestedJson(int depth) =>
        """{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"deep","value":"""
        + string.Concat(Enumerable.Repeat("""{"arrayValue":{"values":[""", depth))
        + "{}" + string.Concat(Enumerable.Repeat("]}}", depth)) + "}]}]}]}]}";

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Gzip of <paramref name="megabytes"/> MiB of zeros: a small body that inflates past any sane limit.</summary>
    public static byte[] GzipBomb(int megabytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < megabytes; i++)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }

    public static ByteArrayContent Content(byte[] body, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        return content;
    }
}
