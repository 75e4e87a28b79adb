using System.Globalization;
using System.Text;
using Google.Protobuf;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Metrics;
using SloMonitor.Otlp.Resource;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>
/// The benchmark's export batches: 512 spans with 10 attributes each (as an SDK batch exporter sends them), and
/// 512 metric data points (cumulative counters and histograms), as protobuf and as OTLP JSON.
/// </summary>
internal static class IngestPayloads
{
    public const int SpansPerBatch = 512;
    public const int PointsPerBatch = 512;

    public static ExportTraceServiceRequest Traces(DateTimeOffset now)
    {
        var end = UnixNano(now);
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore", Version = "10.0.0" } };
        for (var i = 0; i < SpansPerBatch; i++)
        {
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(Id(16, i)),
                SpanId = ByteString.CopyFrom(Id(8, i)),
                ParentSpanId = ByteString.CopyFrom(Id(8, i + 1)),
                Name = "GET /api/orders/{id}",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = (ulong)(end - 25_000_000 - i),
                EndTimeUnixNano = (ulong)(end - i),
                Status = new Status { Code = i % 50 == 0 ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Unset },
            };
            foreach (var attribute in SpanAttributes(i))
            {
                span.Attributes.Add(attribute);
            }

            scope.Spans.Add(span);
        }

        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = Resource(), ScopeSpans = { scope } });
        return request;
    }

    public static ExportMetricsServiceRequest Metrics(DateTimeOffset now, DateTimeOffset start)
    {
        var time = (ulong)UnixNano(now);
        var startTime = (ulong)UnixNano(start);
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore.Hosting" } };
        var counter = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
        var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
        for (var i = 0; i < PointsPerBatch / 2; i++)
        {
            var point = new NumberDataPoint { StartTimeUnixNano = startTime, TimeUnixNano = time, AsInt = 1000 + i };
            point.Attributes.Add(PointAttributes(i));
            counter.DataPoints.Add(point);

            var bucketed = new HistogramDataPoint { StartTimeUnixNano = startTime, TimeUnixNano = time, Count = 60, Sum = 12.5 };
            bucketed.ExplicitBounds.Add([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
            bucketed.BucketCounts.Add([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 5, 0, 0, 0, 0]);
            bucketed.Attributes.Add(PointAttributes(i));
            histogram.DataPoints.Add(bucketed);
        }

        scope.Metrics.Add(new Metric { Name = "http.server.requests", Sum = counter });
        scope.Metrics.Add(new Metric { Name = "http.server.request.duration", Unit = "s", Histogram = histogram });
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(new ResourceMetrics { Resource = Resource(), ScopeMetrics = { scope } });
        return request;
    }

    /// <summary>The OTLP JSON form of a trace request (hex ids, integer enums, 64-bit integers as strings).</summary>
    public static byte[] TracesJson(ExportTraceServiceRequest request)
    {
        var json = new StringBuilder(256 * 1024);
        json.Append("{\"resourceSpans\":[");
        var resourceSpans = request.ResourceSpans[0];
        json.Append("{\"resource\":{\"attributes\":");
        AppendAttributes(json, resourceSpans.Resource.Attributes);
        json.Append("},\"scopeSpans\":[{\"scope\":{\"name\":\"").Append(resourceSpans.ScopeSpans[0].Scope.Name).Append("\"},\"spans\":[");
        var spans = resourceSpans.ScopeSpans[0].Spans;
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            json.Append(i == 0 ? "{" : ",{")
                .Append("\"traceId\":\"").Append(Convert.ToHexString(span.TraceId.Span))
                .Append("\",\"spanId\":\"").Append(Convert.ToHexString(span.SpanId.Span))
                .Append("\",\"parentSpanId\":\"").Append(Convert.ToHexString(span.ParentSpanId.Span))
                .Append("\",\"name\":\"").Append(span.Name)
                .Append("\",\"kind\":").Append((int)span.Kind)
                .Append(",\"startTimeUnixNano\":\"").Append(span.StartTimeUnixNano.ToString(CultureInfo.InvariantCulture))
                .Append("\",\"endTimeUnixNano\":\"").Append(span.EndTimeUnixNano.ToString(CultureInfo.InvariantCulture))
                .Append("\",\"attributes\":");
            AppendAttributes(json, span.Attributes);
            json.Append(",\"status\":{\"code\":").Append((int)span.Status.Code).Append("}}");
        }

        json.Append("]}]}]}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public static long UnixNano(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static Resource Resource() => new()
    {
        Attributes =
        {
            Attr("service.name", "orders"),
            Attr("service.version", "1.4.2"),
            Attr("deployment.environment", "prod"),
            Attr("host.name", "orders-7d9f8c-x2x9z"),
        },
    };

    private static KeyValue[] SpanAttributes(int i) =>
    [
        Attr("http.request.method", "GET"),
        Attr("http.route", "/api/orders/{id}"),
        new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = i % 50 == 0 ? 500 : 200 } },
        Attr("url.scheme", "https"),
        Attr("url.path", "/api/orders/" + (i % 97).ToString(CultureInfo.InvariantCulture)),
        Attr("server.address", "orders.internal"),
        new KeyValue { Key = "server.port", Value = new AnyValue { IntValue = 8080 } },
        Attr("network.protocol.version", "2"),
        Attr("user_agent.original", "checkout-client/3.1"),
        Attr("client.address", "10.0.12.7"),
    ];

    private static KeyValue[] PointAttributes(int i) =>
    [
        Attr("http.route", "/api/r" + i.ToString(CultureInfo.InvariantCulture)),
        Attr("http.request.method", "GET"),
        new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = 200 } },
    ];

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static byte[] Id(int length, int seed)
    {
        var id = new byte[length];
        BitConverter.TryWriteBytes(id, seed + 1);
        id[^1] = 0x5A;
        return id;
    }

    private static void AppendAttributes(StringBuilder json, Google.Protobuf.Collections.RepeatedField<KeyValue> attributes)
    {
        json.Append('[');
        for (var i = 0; i < attributes.Count; i++)
        {
            var value = attributes[i].Value;
            json.Append(i == 0 ? "{" : ",{").Append("\"key\":\"").Append(attributes[i].Key).Append("\",\"value\":");
            if (value.ValueCase == AnyValue.ValueOneofCase.IntValue)
            {
                json.Append("{\"intValue\":\"").Append(value.IntValue.ToString(CultureInfo.InvariantCulture)).Append("\"}}");
            }
            else
            {
                json.Append("{\"stringValue\":\"").Append(value.StringValue).Append("\"}}");
            }
        }

        json.Append(']');
    }
}
