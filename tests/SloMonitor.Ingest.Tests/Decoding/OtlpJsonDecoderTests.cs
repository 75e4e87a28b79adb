using System.Text;
using Google.Protobuf;
using SloMonitor.Otlp.Metrics;

namespace SloMonitor.Ingest.Tests.Decoding;

/// <summary>The OTLP JSON mapping, where it differs from proto3 JSON: hex ids, integer enums, 64-bit ints as strings or numbers.</summary>
public sealed class OtlpJsonDecoderTests
{
    [Fact]
    public void TraceAndSpanIdsAreHexAndSixtyFourBitIntegersMayBeStringsOrNumbers()
    {
        var request = OtlpJsonDecoder.Traces(Utf8("""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
              "scopeSpans":[{"scope":{"name":"s","version":"1"},"spans":[{
                "traceId":"5b8efff798038103d269b633813fc60c","spanId":"EEE19B7EC3C1B174","parentSpanId":"",
                "name":"GET /cart","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1700000000250000000,
                "attributes":[{"key":"code","value":{"intValue":"503"}},{"key":"n","value":{"intValue":7}},
                              {"key":"b","value":{"bytesValue":"AQID"}},{"key":"d","value":{"doubleValue":"NaN"}}],
                "status":{"code":2,"message":"boom"},"unknownField":{"nested":[1,2,3]}}]}]}]}
            """), 64);

        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.Equal(Convert.FromHexString("5B8EFFF798038103D269B633813FC60C"), span.TraceId.ToByteArray());
        Assert.Equal(Convert.FromHexString("EEE19B7EC3C1B174"), span.SpanId.ToByteArray());
        Assert.True(span.ParentSpanId.IsEmpty);
        Assert.Equal(Otlp.Trace.Span.Types.SpanKind.Server, span.Kind);
        Assert.Equal(1_700_000_000_000_000_000ul, span.StartTimeUnixNano);
        Assert.Equal(1_700_000_000_250_000_000ul, span.EndTimeUnixNano);
        Assert.Equal(503, span.Attributes[0].Value.IntValue);
        Assert.Equal(7, span.Attributes[1].Value.IntValue);
        Assert.Equal(new byte[] { 1, 2, 3 }, span.Attributes[2].Value.BytesValue.ToByteArray());
        Assert.True(double.IsNaN(span.Attributes[3].Value.DoubleValue));
        Assert.Equal((Otlp.Trace.Status.Types.StatusCode.Error, "boom"), (span.Status.Code, span.Status.Message));
    }

    [Fact]
    public void MetricsJsonDecodesToTheSameMessageAsItsProtobufTwin()
    {
        var expected = new Otlp.Collector.Metrics.ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Support.Requests.Resource("checkout"),
                    ScopeMetrics =
                    {
                        new ScopeMetrics
                        {
                            Scope = new Otlp.Common.InstrumentationScope { Name = "m" },
                            Metrics =
                            {
                                new Metric { Name = "g", Unit = "1", Gauge = new Gauge { DataPoints = { new NumberDataPoint { TimeUnixNano = 5, AsDouble = 1.5 } } } },
                                new Metric
                                {
                                    Name = "s",
                                    Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true, DataPoints = { new NumberDataPoint { StartTimeUnixNano = 1, TimeUnixNano = 5, AsInt = 9 } } },
                                },
                                new Metric
                                {
                                    Name = "h",
                                    Histogram = new Histogram
                                    {
                                        AggregationTemporality = AggregationTemporality.Delta,
                                        DataPoints = { new HistogramDataPoint { TimeUnixNano = 5, Count = 3, Sum = 2.5, ExplicitBounds = { 1, 2 }, BucketCounts = { 1, 1, 1 }, Min = 0.5, Max = 3 } },
                                    },
                                },
                                new Metric
                                {
                                    Name = "e",
                                    ExponentialHistogram = new ExponentialHistogram
                                    {
                                        AggregationTemporality = AggregationTemporality.Delta,
                                        DataPoints =
                                        {
                                            new ExponentialHistogramDataPoint
                                            {
                                                TimeUnixNano = 5, Count = 4, Sum = 1, Scale = -2, ZeroCount = 1,
                                                Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -3, BucketCounts = { 2, 1 } },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        };

        var decoded = OtlpJsonDecoder.Metrics(Utf8("""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
              "scopeMetrics":[{"scope":{"name":"m"},"metrics":[
                {"name":"g","unit":"1","gauge":{"dataPoints":[{"timeUnixNano":"5","asDouble":1.5}]}},
                {"name":"s","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"startTimeUnixNano":1,"timeUnixNano":"5","asInt":"9"}]}},
                {"name":"h","histogram":{"aggregationTemporality":1,"dataPoints":[{"timeUnixNano":"5","count":"3","sum":2.5,
                  "explicitBounds":[1,2],"bucketCounts":["1",1,"1"],"min":0.5,"max":3,"exemplars":[{"asDouble":1}]}]}},
                {"name":"e","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[{"timeUnixNano":"5","count":4,"sum":1,
                  "scale":-2,"zeroCount":"1","positive":{"offset":-3,"bucketCounts":["2","1"]},"negative":null}]}}]}]}]}
            """), 64);

        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SERVER"}]}]}]}""", "field 'kind'")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":9}]}]}]}""", "field 'kind': 9 is not a known value")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"12x"}]}]}]}""", "field 'startTimeUnixNano'")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"zzzzzzzzzzzzzzzz"}]}]}]}""", "field 'spanId': 'zzzzzzzzzzzzzzzz' is not hex")]
    [InlineData("""{"resourceSpans":[]} {}""", "malformed JSON")]
    [InlineData("""[]""", "expected an object")]
    public void MalformedJsonIsRefusedNamingTheField(string json, string message)
    {
        var e = Assert.Throws<OtlpDecodeException>(() => OtlpJsonDecoder.Traces(Utf8(json), 64));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogsJsonIsCountedByRecord()
    {
        var request = OtlpJsonDecoder.Logs(Utf8("""
            {"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a"}},{"severityNumber":9}]}]},
                             {"scopeLogs":[{"logRecords":[{}]}]}]}
            """), 64);

        Assert.Equal(3, ItemCounter.Count(request));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
