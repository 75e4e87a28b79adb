using System.Buffers;
using System.Text;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Ingest;
using SloMonitor.Ingest.Tests.Support.Reference;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Fuzz.Tests.Support;

/// <summary>
/// The fuzz targets and what each may answer bad input with: OTLP decoding throws only <see cref="OtlpDecodeException"/>
/// and applying a decoded request never throws; the selector and SLO parsers return errors, never throw; the
/// routing file reader throws only <see cref="AlertingConfigException"/>.
/// </summary>
internal static class Targets
{
    private const int MaxJsonDepth = 64;

    private static readonly string[] JsonTokens =
        ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "1e309", "-0", "\"NaN\"", "\"Infinity\"", "18446744073709551616", "\"\\u0000\"", "\"resourceSpans\"",
         "\"resourceMetrics\"", "\"scopeSpans\"", "\"spans\"", "\"attributes\"", "\"arrayValue\"", "\"kvlistValue\"", "\"values\"", "\"traceId\"",
         "\"bucketCounts\"", "\"explicitBounds\"", "\"exponentialHistogram\"", "\"positive\"", "\"offset\"", "\"scale\"", "\"aggregationTemporality\"", "\"startTimeUnixNano\""];

    private static readonly string[] YamlTokens =
        [": ", "- ", "\n", "\n  ", "{", "}", "[", "]", ",", "'", "\"", "&a ", "*a", "<<: *a", "!!str ", "!!binary ", "|\n", ">\n", "---\n", "...\n", "#", "~", "null",
         "1e999", "-1", "0x10", "30d", "99.9", "1M", "slos:", "name:", "sli:", "kind:", "objective:", "window:", "match:", "bad:", "apiVersion: openslo/v1",
         "kind: SLO", "kind: SLI", "spec:", "route:", "receivers:", "matchers:", "group_by:", "routes:", "inhibitRules:", "maintenanceWindows:", "${", "}", "=~", "!~"];

    private static readonly string[] SelectorTokens = ["=", "!=", "=~", "!~", "\"", "\\", ",", "{", "}", " ", ".", "*", "(", ")", "[", "]", "|", "^", "$", "+", "?", "\\u", "span.kind", "http.route"];

    public static readonly FuzzTarget OtlpProtobufTraces = new(
        "otlp-protobuf-traces", input =>
        {
            using var request = TraceRequest.Read(input, input.Length);
            return Applied(Ingestor().ApplyTraces(request));
        },
        [typeof(OtlpDecodeException)], []);

    /// <summary>
    /// Differential: the in-place reader and the message-based reading (Google.Protobuf, the oracle) must give the
    /// same refusal or the same counts, messages and events with every attribute; a difference is a crash.
    /// </summary>
    public static readonly FuzzTarget OtlpProtobufTracesInPlace = new(
        "otlp-protobuf-traces-in-place", input =>
        {
            var options = ReadEveryTime();
            var expected = MessageTraceReading.Read(input, options, FixedTime.Instance);
            var actual = InPlaceTraceReading.Read(input, options, FixedTime.Instance);
            return actual == expected
                ? expected[..Math.Min(expected.Length, 60)]
                : throw new InvalidOperationException($"the in-place reading differs from the message-based one:\n{actual}\n--- expected ---\n{expected}");
        },
        [], []);

    public static readonly FuzzTarget OtlpProtobufMetrics = new(
        "otlp-protobuf-metrics", input => Applied(Ingestor().ApplyMetrics(ProtobufDecoder.Decode(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor, new ReadOnlySequence<byte>(input)))),
        [typeof(OtlpDecodeException)], []);

    public static readonly FuzzTarget OtlpJsonTraces = new(
        "otlp-json-traces", input => Applied(Ingestor().ApplyTraces(OtlpJsonDecoder.Traces(input, MaxJsonDepth))), [typeof(OtlpDecodeException)], JsonTokens);

    public static readonly FuzzTarget OtlpJsonMetrics = new(
        "otlp-json-metrics", input => Applied(Ingestor().ApplyMetrics(OtlpJsonDecoder.Metrics(input, MaxJsonDepth))), [typeof(OtlpDecodeException)], JsonTokens);

    public static readonly FuzzTarget OtlpJsonLogs = new(
        "otlp-json-logs", input => Applied(Ingestor().ApplyLogs(OtlpJsonDecoder.Logs(input, MaxJsonDepth))), [typeof(OtlpDecodeException)], JsonTokens);

    public static readonly FuzzTarget Selector = new(
        "selector", input =>
        {
            var text = Encoding.UTF8.GetString(input);
            var withName = SelectorParser.TryParse(text, allowMetricName: true, out var error);
            SelectorParser.TryParse(text, allowMetricName: false, out _);
            return withName is null ? "error " + error : "selector";
        },
        [], SelectorTokens, MaxLength: 4096);

    public static readonly FuzzTarget SloYaml = new(
        "slo-yaml", input => Parsed(SloParser.ParseYaml(Encoding.UTF8.GetString(input), "fuzz.yaml")), [], YamlTokens);

    public static readonly FuzzTarget OpenSlo = new(
        "openslo", input => Parsed(SloParser.ParseYaml(Encoding.UTF8.GetString(input), "openslo.yaml")), [], YamlTokens);

    public static readonly FuzzTarget SloJson = new(
        "slo-json", input => Parsed(SloParser.ParseJson(Encoding.UTF8.GetString(input), "checkout-availability")), [], JsonTokens);

    public static readonly FuzzTarget Routing = new(
        "routing", input => AlertingConfigLoader.Parse(Encoding.UTF8.GetString(input), "alerting.yaml", static _ => "from-environment").Receivers.Count + " receivers",
        [typeof(AlertingConfigException)], YamlTokens);

    private static string Applied(ApplyResult result) => result.Rejected == 0 ? "accepted" : "rejected " + result.ErrorMessage;

    private static string Parsed(SloParseResult result) =>
        result.IsValid ? result.Definitions.Count + " definitions" : "error " + result.Errors[0].Message;

    /// <summary>An ingestor that accepts every event time, so decoded requests go all the way through validation and mapping.</summary>
    private static OtlpIngestor Ingestor() => new(new ReadingSink(), ReadEveryTime(), TimeProvider.System);

    private static IngestOptions ReadEveryTime() => new() { MaxEventAge = TimeSpan.FromDays(20_000), MaxFutureSkew = TimeSpan.FromDays(20_000), MaxAttributesPerItem = 16 };

    /// <summary>One moment for both readings of an input, so that their time checks agree to the tick.</summary>
    private sealed class FixedTime : TimeProvider
    {
        public static readonly FixedTime Instance = new();

        public override DateTimeOffset GetUtcNow() => new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Reads every field of every event, as the SLI core may.</summary>
    private sealed class ReadingSink : ITelemetrySink
    {
        public void OnSpan(in SpanEvent span)
        {
            _ = (span.ServiceName, span.Name, span.Kind, span.StatusCode, span.DurationSeconds, span.ScopeName);
            Span<char> chars = stackalloc char[32];
            Span<byte> bytes = stackalloc byte[32];
            foreach (var key in (string[])["service.name", "span.kind", "status.code", "span.name", "http.route", "http.response.status_code", "missing"])
            {
                span.TryGetAttribute(key, out _);
                span.TryGetAttributeText(key, chars, out _);
                span.TryGetAttributeUtf8(System.Text.Encoding.UTF8.GetBytes(key), bytes, out _);
            }

            _ = span.TraceId.Length + span.SpanId.Length + span.NameUtf8.Length;
        }

        public void OnMetricPoint(in MetricPointEvent point)
        {
            _ = (point.ServiceName, point.MetricName, point.Kind, point.Value, point.Count, point.Sum, point.ZeroCount);
            _ = point.ExplicitBounds.Length + point.BucketCounts.Length + point.PositiveBucketCounts.Length;
            point.TryGetAttribute("service.name", out _);
            point.TryGetAttribute("http.route", out _);
        }
    }
}
