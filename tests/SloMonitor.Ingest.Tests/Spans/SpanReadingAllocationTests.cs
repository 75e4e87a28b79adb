using Google.Protobuf;
using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Ingest.Tests.Spans;

/// <summary>
/// The decode path's allocations, counted on the thread that reads a batch: reading a request in place and mapping
/// its spans to events costs a few objects per request and per resource, nothing per span or attribute lookup.
/// </summary>
public sealed class SpanReadingAllocationTests
{
    private const int Spans = 512;

    [Fact]
    public void ReadingAndMappingABatchAllocatesPerRequestOnlyWellUnder256BytesASpan()
    {
        var t = new IngestorUnderTest();
        var bytes = Batch(t.NowNano - 1_000_000_000).ToByteArray();
        var sink = new SelectorLikeSink();
        var ingestor = new OtlpIngestor(sink, new IngestOptions(), t.Time);
        Apply(ingestor, bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 10; round++)
        {
            Apply(ingestor, bytes);
        }

        var perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;

        // The request object, the resource's service name and the scope's name: a few hundred bytes for 512 spans
        // (the floor is 256 bytes a span, 128 KiB a batch; one allocation per span would already pass 8 KiB).
        Assert.Equal(11L * Spans, sink.Matched);
        Assert.True(perBatch < 1024, $"{perBatch:N0} bytes allocated per batch of {Spans} spans");
    }

    private static void Apply(OtlpIngestor ingestor, byte[] bytes)
    {
        using var request = TraceRequest.Read(bytes, bytes.Length);
        Assert.Equal(Spans, ingestor.ApplyTraces(request).Accepted);
    }

    private static ExportTraceServiceRequest Batch(long endUnixNano)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore", Version = "10.0.0" } };
        for (var i = 0; i < Spans; i++)
        {
            var span = Requests.Span("GET /api/orders/{id}", endUnixNano - i, 0.025, Requests.Attr("http.request.method", "GET"), Requests.Attr("http.route", "/api/orders/{id}"),
                Requests.Attr("http.response.status_code", 200 + (i % 3)), Requests.Attr("url.scheme", "https"), Requests.Attr("server.address", "orders.internal"));
            span.Attributes.Add(new KeyValue { Key = "sampled", Value = new AnyValue { BoolValue = true } });
            span.Attributes.Add(new KeyValue { Key = "ratio", Value = new AnyValue { DoubleValue = 0.25 } });
            span.Kind = Span.Types.SpanKind.Server;
            scope.Spans.Add(span);
        }

        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = Requests.Resource("checkout", Requests.Attr("deployment.environment", "prod")), ScopeSpans = { scope } } } };
    }

    /// <summary>Looks attributes up as the SLI core does: UTF-8 for selectors, text for group keys.</summary>
    private sealed class SelectorLikeSink : ITelemetrySink
    {
        public long Matched { get; private set; }

        public void OnSpan(in SpanEvent span)
        {
            Span<byte> bytes = stackalloc byte[32];
            Span<char> chars = stackalloc char[64];
            var matched = span.TryGetAttributeUtf8("http.route"u8, bytes, out var route) && route.SequenceEqual("/api/orders/{id}"u8)
                && span.TryGetAttributeUtf8("http.response.status_code"u8, bytes, out var code) && code[0] == (byte)'2'
                && span.TryGetAttributeUtf8("deployment.environment"u8, bytes, out var environment) && environment.SequenceEqual("prod"u8)
                && span.TryGetAttributeUtf8("span.kind"u8, bytes, out var kind) && kind.SequenceEqual("server"u8)
                && span.TryGetAttributeText("http.route", chars, out var text) && text.SequenceEqual("/api/orders/{id}")
                && span.TryGetAttributeText("ratio", chars, out var ratio) && ratio.SequenceEqual("0.25")
                && span.TraceId.Length == 16 && span.DurationSeconds > 0 && span.NameUtf8.Length > 0;
            Matched += matched ? 1 : 0;
        }

        public void OnMetricPoint(in MetricPointEvent point)
        {
        }
    }
}
