using System.Text.Json;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Metrics;

namespace SloMonitor.Ingest;

/// <summary>OTLP JSON reader for metric export requests. Exemplars are skipped (not used by SLOs).</summary>
internal static class MetricsJson
{
    private static readonly JsonItemReader<ResourceMetrics> ResourceMetricsItem = ReadResourceMetrics;
    private static readonly JsonItemReader<ScopeMetrics> ScopeMetricsItem = ReadScopeMetrics;
    private static readonly JsonItemReader<Metric> MetricItem = ReadMetric;
    private static readonly JsonItemReader<NumberDataPoint> NumberItem = ReadNumber;
    private static readonly JsonItemReader<HistogramDataPoint> HistogramItem = ReadHistogram;
    private static readonly JsonItemReader<ExponentialHistogramDataPoint> ExponentialItem = ReadExponential;
    private static readonly JsonItemReader<SummaryDataPoint> SummaryItem = ReadSummary;

    public static ExportMetricsServiceRequest Read(ref Utf8JsonReader reader)
    {
        var request = new ExportMetricsServiceRequest();
        JsonRead.StartObject(ref reader, "(root)");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resourceMetrics"u8))
            {
                JsonRead.Array(ref reader, request.ResourceMetrics, ResourceMetricsItem, "resourceMetrics");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return request;
    }

    private static ResourceMetrics ReadResourceMetrics(ref Utf8JsonReader reader)
    {
        var resourceMetrics = new ResourceMetrics();
        JsonRead.StartObject(ref reader, "resourceMetrics[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resource"u8))
            {
                resourceMetrics.Resource = CommonJson.Optional(ref reader, CommonJson.Resource);
            }
            else if (reader.ValueTextEquals("scopeMetrics"u8))
            {
                JsonRead.Array(ref reader, resourceMetrics.ScopeMetrics, ScopeMetricsItem, "scopeMetrics");
            }
            else if (reader.ValueTextEquals("schemaUrl"u8))
            {
                resourceMetrics.SchemaUrl = JsonRead.String(ref reader, "schemaUrl");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return resourceMetrics;
    }

    private static ScopeMetrics ReadScopeMetrics(ref Utf8JsonReader reader)
    {
        var scopeMetrics = new ScopeMetrics();
        JsonRead.StartObject(ref reader, "scopeMetrics[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("scope"u8))
            {
                scopeMetrics.Scope = CommonJson.Optional(ref reader, CommonJson.Scope);
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                JsonRead.Array(ref reader, scopeMetrics.Metrics, MetricItem, "metrics");
            }
            else if (reader.ValueTextEquals("schemaUrl"u8))
            {
                scopeMetrics.SchemaUrl = JsonRead.String(ref reader, "schemaUrl");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return scopeMetrics;
    }

    private static Metric ReadMetric(ref Utf8JsonReader reader)
    {
        var metric = new Metric();
        JsonRead.StartObject(ref reader, "metrics[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                metric.Name = JsonRead.String(ref reader, "name");
            }
            else if (reader.ValueTextEquals("description"u8))
            {
                metric.Description = JsonRead.String(ref reader, "description");
            }
            else if (reader.ValueTextEquals("unit"u8))
            {
                metric.Unit = JsonRead.String(ref reader, "unit");
            }
            else if (reader.ValueTextEquals("gauge"u8))
            {
                var gauge = new Gauge();
                ReadPoints(ref reader, "gauge", gauge.DataPoints, NumberItem, out _, out _);
                metric.Gauge = gauge;
            }
            else if (reader.ValueTextEquals("sum"u8))
            {
                var sum = new Sum();
                ReadPoints(ref reader, "sum", sum.DataPoints, NumberItem, out var temporality, out var monotonic);
                sum.AggregationTemporality = temporality;
                sum.IsMonotonic = monotonic;
                metric.Sum = sum;
            }
            else if (reader.ValueTextEquals("histogram"u8))
            {
                var histogram = new Histogram();
                ReadPoints(ref reader, "histogram", histogram.DataPoints, HistogramItem, out var temporality, out _);
                histogram.AggregationTemporality = temporality;
                metric.Histogram = histogram;
            }
            else if (reader.ValueTextEquals("exponentialHistogram"u8))
            {
                var histogram = new ExponentialHistogram();
                ReadPoints(ref reader, "exponentialHistogram", histogram.DataPoints, ExponentialItem, out var temporality, out _);
                histogram.AggregationTemporality = temporality;
                metric.ExponentialHistogram = histogram;
            }
            else if (reader.ValueTextEquals("summary"u8))
            {
                var summary = new Summary();
                ReadPoints(ref reader, "summary", summary.DataPoints, SummaryItem, out _, out _);
                metric.Summary = summary;
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return metric;
    }

    private static void ReadPoints<T>(
        ref Utf8JsonReader reader, string field, Google.Protobuf.Collections.RepeatedField<T> points, JsonItemReader<T> item,
        out AggregationTemporality temporality, out bool monotonic)
    {
        temporality = AggregationTemporality.Unspecified;
        monotonic = false;
        reader.Read();
        JsonRead.StartObject(ref reader, field);
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("dataPoints"u8))
            {
                JsonRead.Array(ref reader, points, item, field + ".dataPoints");
            }
            else if (reader.ValueTextEquals("aggregationTemporality"u8))
            {
                temporality = (AggregationTemporality)JsonRead.Enum(ref reader, field + ".aggregationTemporality", 2);
            }
            else if (reader.ValueTextEquals("isMonotonic"u8))
            {
                monotonic = JsonRead.Bool(ref reader, field + ".isMonotonic");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }
    }

    private static NumberDataPoint ReadNumber(ref Utf8JsonReader reader)
    {
        var point = new NumberDataPoint();
        JsonRead.StartObject(ref reader, "dataPoints[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (!ReadCommon(ref reader, point.Attributes, out var start, out var time, out var flags))
            {
                if (reader.ValueTextEquals("asDouble"u8))
                {
                    point.AsDouble = JsonRead.Double(ref reader, "asDouble");
                }
                else if (reader.ValueTextEquals("asInt"u8))
                {
                    point.AsInt = JsonRead.Int64(ref reader, "asInt");
                }
                else
                {
                    JsonRead.SkipValue(ref reader);
                }
            }

            point.StartTimeUnixNano = start ?? point.StartTimeUnixNano;
            point.TimeUnixNano = time ?? point.TimeUnixNano;
            point.Flags = flags ?? point.Flags;
        }

        return point;
    }

    private static HistogramDataPoint ReadHistogram(ref Utf8JsonReader reader)
    {
        var point = new HistogramDataPoint();
        JsonRead.StartObject(ref reader, "dataPoints[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (!ReadCommon(ref reader, point.Attributes, out var start, out var time, out var flags))
            {
                if (reader.ValueTextEquals("count"u8))
                {
                    point.Count = JsonRead.UInt64(ref reader, "count");
                }
                else if (reader.ValueTextEquals("sum"u8))
                {
                    point.Sum = JsonRead.Double(ref reader, "sum");
                }
                else if (reader.ValueTextEquals("bucketCounts"u8))
                {
                    JsonRead.UInt64Array(ref reader, point.BucketCounts, "bucketCounts");
                }
                else if (reader.ValueTextEquals("explicitBounds"u8))
                {
                    JsonRead.DoubleArray(ref reader, point.ExplicitBounds, "explicitBounds");
                }
                else if (reader.ValueTextEquals("min"u8))
                {
                    point.Min = JsonRead.Double(ref reader, "min");
                }
                else if (reader.ValueTextEquals("max"u8))
                {
                    point.Max = JsonRead.Double(ref reader, "max");
                }
                else
                {
                    JsonRead.SkipValue(ref reader);
                }
            }

            point.StartTimeUnixNano = start ?? point.StartTimeUnixNano;
            point.TimeUnixNano = time ?? point.TimeUnixNano;
            point.Flags = flags ?? point.Flags;
        }

        return point;
    }

    private static ExponentialHistogramDataPoint ReadExponential(ref Utf8JsonReader reader)
    {
        var point = new ExponentialHistogramDataPoint();
        JsonRead.StartObject(ref reader, "dataPoints[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (!ReadCommon(ref reader, point.Attributes, out var start, out var time, out var flags))
            {
                if (reader.ValueTextEquals("count"u8))
                {
                    point.Count = JsonRead.UInt64(ref reader, "count");
                }
                else if (reader.ValueTextEquals("sum"u8))
                {
                    point.Sum = JsonRead.Double(ref reader, "sum");
                }
                else if (reader.ValueTextEquals("scale"u8))
                {
                    point.Scale = JsonRead.Int32(ref reader, "scale");
                }
                else if (reader.ValueTextEquals("zeroCount"u8))
                {
                    point.ZeroCount = JsonRead.UInt64(ref reader, "zeroCount");
                }
                else if (reader.ValueTextEquals("zeroThreshold"u8))
                {
                    point.ZeroThreshold = JsonRead.Double(ref reader, "zeroThreshold");
                }
                else if (reader.ValueTextEquals("positive"u8))
                {
                    point.Positive = ReadBuckets(ref reader, "positive");
                }
                else if (reader.ValueTextEquals("negative"u8))
                {
                    point.Negative = ReadBuckets(ref reader, "negative");
                }
                else if (reader.ValueTextEquals("min"u8))
                {
                    point.Min = JsonRead.Double(ref reader, "min");
                }
                else if (reader.ValueTextEquals("max"u8))
                {
                    point.Max = JsonRead.Double(ref reader, "max");
                }
                else
                {
                    JsonRead.SkipValue(ref reader);
                }
            }

            point.StartTimeUnixNano = start ?? point.StartTimeUnixNano;
            point.TimeUnixNano = time ?? point.TimeUnixNano;
            point.Flags = flags ?? point.Flags;
        }

        return point;
    }

    private static ExponentialHistogramDataPoint.Types.Buckets? ReadBuckets(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var buckets = new ExponentialHistogramDataPoint.Types.Buckets();
        JsonRead.StartObject(ref reader, field);
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("offset"u8))
            {
                buckets.Offset = JsonRead.Int32(ref reader, field + ".offset");
            }
            else if (reader.ValueTextEquals("bucketCounts"u8))
            {
                JsonRead.UInt64Array(ref reader, buckets.BucketCounts, field + ".bucketCounts");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return buckets;
    }

    private static SummaryDataPoint ReadSummary(ref Utf8JsonReader reader)
    {
        var point = new SummaryDataPoint();
        JsonRead.StartObject(ref reader, "dataPoints[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (!ReadCommon(ref reader, point.Attributes, out var start, out var time, out var flags))
            {
                if (reader.ValueTextEquals("count"u8))
                {
                    point.Count = JsonRead.UInt64(ref reader, "count");
                }
                else if (reader.ValueTextEquals("sum"u8))
                {
                    point.Sum = JsonRead.Double(ref reader, "sum");
                }
                else
                {
                    JsonRead.SkipValue(ref reader);
                }
            }

            point.StartTimeUnixNano = start ?? point.StartTimeUnixNano;
            point.TimeUnixNano = time ?? point.TimeUnixNano;
            point.Flags = flags ?? point.Flags;
        }

        return point;
    }

    // The fields every data point type shares; false when the property is none of them.
    private static bool ReadCommon(
        ref Utf8JsonReader reader, Google.Protobuf.Collections.RepeatedField<Otlp.Common.KeyValue> attributes,
        out ulong? start, out ulong? time, out uint? flags)
    {
        start = null;
        time = null;
        flags = null;
        if (reader.ValueTextEquals("attributes"u8))
        {
            JsonRead.Array(ref reader, attributes, CommonJson.KeyValueItem, "dataPoints.attributes");
        }
        else if (reader.ValueTextEquals("startTimeUnixNano"u8))
        {
            start = JsonRead.UInt64(ref reader, "startTimeUnixNano");
        }
        else if (reader.ValueTextEquals("timeUnixNano"u8))
        {
            time = JsonRead.UInt64(ref reader, "timeUnixNano");
        }
        else if (reader.ValueTextEquals("flags"u8))
        {
            flags = JsonRead.UInt32(ref reader, "flags");
        }
        else
        {
            return false;
        }

        return true;
    }
}
