using Google.Protobuf;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Metrics;
using SloMonitor.Otlp.Resource;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Ingest.Tests.Support;

/// <summary>Builders of OTLP requests for tests.</summary>
internal static class Requests
{
    public static long UnixNano(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static Resource Resource(string? serviceName, params KeyValue[] more)
    {
        var resource = new Resource();
        if (serviceName is not null)
        {
            resource.Attributes.Add(Attr("service.name", serviceName));
        }

        resource.Attributes.Add(more);
        return resource;
    }

    public static Span Span(string name, long endUnixNano, double seconds = 0.1, params KeyValue[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray()),
            SpanId = ByteString.CopyFrom(Enumerable.Range(1, 8).Select(i => (byte)i).ToArray()),
            Name = name,
            Kind = SloMonitor.Otlp.Trace.Span.Types.SpanKind.Server,
            StartTimeUnixNano = (ulong)(endUnixNano - (long)(seconds * 1e9)),
            EndTimeUnixNano = (ulong)endUnixNano,
            Status = new Status { Code = Status.Types.StatusCode.Ok },
        };
        span.Attributes.Add(attributes);
        return span;
    }

    public static ExportTraceServiceRequest Traces(Resource resource, params Span[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "test-scope", Version = "1.0" } };
        scope.Spans.Add(spans);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
        return request;
    }

    public static ExportMetricsServiceRequest Metrics(Resource resource, params Metric[] metrics)
    {
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "test-scope" } };
        scope.Metrics.Add(metrics);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(new ResourceMetrics { Resource = resource, ScopeMetrics = { scope } });
        return request;
    }

    public static Metric CumulativeCounter(string name, params NumberDataPoint[] points)
    {
        var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
        sum.DataPoints.Add(points);
        return new Metric { Name = name, Sum = sum };
    }

    public static NumberDataPoint Point(long startUnixNano, long timeUnixNano, double value, params KeyValue[] attributes)
    {
        var point = new NumberDataPoint { StartTimeUnixNano = (ulong)startUnixNano, TimeUnixNano = (ulong)timeUnixNano, AsDouble = value };
        point.Attributes.Add(attributes);
        return point;
    }

    public static HistogramDataPoint HistogramPoint(long startUnixNano, long timeUnixNano, double sum, double[] bounds, ulong[] counts)
    {
        var point = new HistogramDataPoint
        {
            StartTimeUnixNano = (ulong)startUnixNano,
            TimeUnixNano = (ulong)timeUnixNano,
            Sum = sum,
            Count = (ulong)counts.Sum(c => (long)c),
        };
        point.ExplicitBounds.Add(bounds);
        point.BucketCounts.Add(counts);
        return point;
    }
}
