using System.Text.Json;
using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;

namespace SloMonitor.Ingest;

/// <summary>
/// Decodes OTLP/HTTP JSON bodies into the protobuf types. Written for OTLP (Google.Protobuf's JsonParser expects
/// base64 ids, OTLP sends hex) and to stream straight from the body bytes with no intermediate document.
/// </summary>
internal static class OtlpJsonDecoder
{
    public static ExportTraceServiceRequest Traces(ReadOnlySpan<byte> json, int maxDepth) => Decode(json, maxDepth, TracesJson.Read);

    public static ExportMetricsServiceRequest Metrics(ReadOnlySpan<byte> json, int maxDepth) => Decode(json, maxDepth, MetricsJson.Read);

    public static ExportLogsServiceRequest Logs(ReadOnlySpan<byte> json, int maxDepth) => Decode(json, maxDepth, LogsJson.Read);

    private static T Decode<T>(ReadOnlySpan<byte> json, int maxDepth, JsonItemReader<T> read)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            if (!reader.Read())
            {
                throw new OtlpDecodeException("malformed JSON: the body is empty");
            }

            var message = read(ref reader);
            if (reader.Read())
            {
                throw new OtlpDecodeException("malformed JSON: content after the top-level object");
            }

            return message;
        }
        catch (JsonException e)
        {
            throw new OtlpDecodeException("malformed JSON: " + e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new OtlpDecodeException("malformed JSON: " + e.Message);
        }
        catch (OtlpDecodeException e) when (!e.Message.StartsWith("malformed", StringComparison.Ordinal))
        {
            throw new OtlpDecodeException("malformed JSON: " + e.Message);
        }
    }
}
