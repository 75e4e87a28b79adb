using Google.Protobuf.Collections;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Metrics;

namespace SloMonitor.Ingest;

/// <summary>
/// Turns the data points of one request into <see cref="MetricPointEvent"/>s: validates each point, converts
/// cumulative series (one tenant's apart from another's) to deltas and hands the result to the sink. One instance per request (it owns scratch buffers).
/// </summary>
internal sealed class MetricPointMapper(ITelemetrySink sink, CumulativeDeltaStore cumulative, int maxAttributes, EventClock clock, string tenant = TenantSinks.DefaultTenant)
{
    private const uint NoRecordedValue = (uint)DataPointFlags.NoRecordedValueMask;

    private readonly DeltaBuffers _buffers = new();
    private readonly SeriesKeyBuilder _keys = new();
    private RepeatedField<KeyValue>? _resourceAttributes;
    private string _serviceName = string.Empty;
    private InstrumentationScope? _scope;
    private string? _seriesPrefix;

    public void Apply(ResourceMetrics resourceMetrics, ref ApplyTally tally)
    {
        _resourceAttributes = resourceMetrics.Resource?.Attributes;
        var serviceName = AttributeText.FindString(_resourceAttributes, "service.name");
        foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
        {
            if (serviceName is null)
            {
                foreach (var metric in scopeMetrics.Metrics)
                {
                    tally.Reject(ItemCounter.Count(metric), "resource has no service.name attribute (a non-empty string); its data points are rejected");
                }

                continue;
            }

            _serviceName = serviceName;
            _scope = scopeMetrics.Scope;
            _seriesPrefix = null;
            foreach (var metric in scopeMetrics.Metrics)
            {
                ApplyMetric(metric, ref tally);
            }
        }
    }

    private void ApplyMetric(Metric metric, ref ApplyTally tally)
    {
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                foreach (var point in metric.Gauge.DataPoints)
                {
                    ApplyNumber(metric, point, MetricPointKind.Gauge, false, AggregationTemporality.Delta, ref tally);
                }

                break;
            case Metric.DataOneofCase.Sum:
                var sum = metric.Sum;
                foreach (var point in sum.DataPoints)
                {
                    ApplyNumber(metric, point, MetricPointKind.Sum, sum.IsMonotonic, sum.AggregationTemporality, ref tally);
                }

                break;
            case Metric.DataOneofCase.Histogram:
                foreach (var point in metric.Histogram.DataPoints)
                {
                    ApplyHistogram(metric, point, metric.Histogram.AggregationTemporality, ref tally);
                }

                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                foreach (var point in metric.ExponentialHistogram.DataPoints)
                {
                    ApplyExponential(metric, point, metric.ExponentialHistogram.AggregationTemporality, ref tally);
                }

                break;
            case Metric.DataOneofCase.Summary:
                tally.Reject(metric.Summary.DataPoints.Count, $"metric '{metric.Name}': Summary data points are not supported (send a histogram)");
                break;
        }
    }

    private void ApplyNumber(Metric metric, NumberDataPoint point, MetricPointKind kind, bool monotonic, AggregationTemporality temporality, ref ApplyTally tally)
    {
        var problem = CheckCommon(point.Flags, point.Attributes.Count, point.TimeUnixNano, temporality);
        var value = point.ValueCase switch
        {
            NumberDataPoint.ValueOneofCase.AsDouble => point.AsDouble,
            NumberDataPoint.ValueOneofCase.AsInt => point.AsInt,
            _ => double.NaN,
        };
        problem ??= point.ValueCase == NumberDataPoint.ValueOneofCase.None ? "has no value (as_double or as_int)"
            : double.IsNaN(value) ? "value is NaN"
            : double.IsInfinity(value) ? "value is infinite"
            : kind == MetricPointKind.Sum && monotonic && value < 0 ? "a monotonic sum has a negative value"
            : null;
        if (problem is not null)
        {
            tally.Reject(Describe(metric, problem));
            return;
        }

        if (kind == MetricPointKind.Sum && temporality == AggregationTemporality.Cumulative)
        {
            if (Series(metric, point.Attributes, ref tally) is not { } state)
            {
                return;
            }

            var countsFromStart = cumulative.CountsFromStart(point.StartTimeUnixNano);
            lock (state)
            {
                value = CumulativeDelta.Sum(state, point.StartTimeUnixNano, point.TimeUnixNano, value, monotonic, countsFromStart, clock.NowUnixNano);
            }
        }

        var data = MetricPointData.Start(_serviceName, metric.Name, kind, (long)point.TimeUnixNano);
        data.Exemplars = point.Exemplars;
        data.IsMonotonic = monotonic;
        data.Value = value;
        Emit(data, point.Attributes, ref tally);
    }

    private void ApplyHistogram(Metric metric, HistogramDataPoint point, AggregationTemporality temporality, ref ApplyTally tally)
    {
        var problem = CheckCommon(point.Flags, point.Attributes.Count, point.TimeUnixNano, temporality)
            ?? HistogramChecks.Explicit(point);
        if (problem is not null)
        {
            tally.Reject(Describe(metric, problem));
            return;
        }

        var bucketCount = point.BucketCounts.Count;
        var boundCount = bucketCount == 0 ? 0 : point.ExplicitBounds.Count;
        ulong count;
        double sum;
        if (temporality == AggregationTemporality.Cumulative)
        {
            if (Series(metric, point.Attributes, ref tally) is not { } state)
            {
                return;
            }

            var countsFromStart = cumulative.CountsFromStart(point.StartTimeUnixNano);
            lock (state)
            {
                count = CumulativeDelta.Histogram(state, point, countsFromStart, clock.NowUnixNano, _buffers, out sum);
            }
        }
        else
        {
            point.BucketCounts.CopyTo(_buffers.BucketsFor(bucketCount), 0);
            count = point.Count;
            sum = point.HasSum ? point.Sum : double.NaN;
        }

        var bounds = _buffers.BoundsFor(boundCount);
        if (boundCount > 0)
        {
            point.ExplicitBounds.CopyTo(bounds, 0);
        }

        var data = MetricPointData.Start(_serviceName, metric.Name, MetricPointKind.Histogram, (long)point.TimeUnixNano);
        data.Exemplars = point.Exemplars;
        data.Count = (long)count;
        data.Sum = sum;
        data.ExplicitBounds = new ReadOnlyMemory<double>(bounds, 0, boundCount);
        data.BucketCounts = new ReadOnlyMemory<ulong>(_buffers.Buckets, 0, bucketCount);
        Emit(data, point.Attributes, ref tally);
    }

    private void ApplyExponential(Metric metric, ExponentialHistogramDataPoint point, AggregationTemporality temporality, ref ApplyTally tally)
    {
        var problem = CheckCommon(point.Flags, point.Attributes.Count, point.TimeUnixNano, temporality)
            ?? HistogramChecks.Exponential(point);
        if (problem is not null)
        {
            tally.Reject(Describe(metric, problem));
            return;
        }

        var length = point.Positive?.BucketCounts.Count ?? 0;
        ulong count;
        ulong zeroCount;
        double sum;
        if (temporality == AggregationTemporality.Cumulative)
        {
            if (Series(metric, point.Attributes, ref tally) is not { } state)
            {
                return;
            }

            var countsFromStart = cumulative.CountsFromStart(point.StartTimeUnixNano);
            lock (state)
            {
                count = CumulativeDelta.Exponential(state, point, countsFromStart, clock.NowUnixNano, _buffers, out sum, out zeroCount);
            }
        }
        else
        {
            point.Positive?.BucketCounts.CopyTo(_buffers.BucketsFor(length), 0);
            count = point.Count;
            zeroCount = point.ZeroCount;
            sum = point.HasSum ? point.Sum : double.NaN;
        }

        var data = MetricPointData.Start(_serviceName, metric.Name, MetricPointKind.ExponentialHistogram, (long)point.TimeUnixNano);
        data.Exemplars = point.Exemplars;
        data.Count = (long)count;
        data.Sum = sum;
        data.ExponentialScale = point.Scale;
        data.ZeroCount = zeroCount;
        data.PositiveOffset = point.Positive?.Offset ?? 0;
        data.PositiveBucketCounts = new ReadOnlyMemory<ulong>(_buffers.Buckets, 0, length);
        Emit(data, point.Attributes, ref tally);
    }

    private void Emit(in MetricPointData data, RepeatedField<KeyValue> attributes, ref ApplyTally tally)
    {
        sink.OnMetricPoint(new MetricPointEvent(data, attributes, _resourceAttributes));
        tally.Accepted++;
    }

    private string? CheckCommon(uint flags, int attributeCount, ulong time, AggregationTemporality temporality)
    {
        if ((flags & NoRecordedValue) != 0)
        {
            return "the point is flagged as having no recorded value";
        }

        if (temporality is not (AggregationTemporality.Delta or AggregationTemporality.Cumulative))
        {
            return "aggregation_temporality is unspecified";
        }

        if (attributeCount > maxAttributes)
        {
            return $"has {attributeCount} attributes, more than the limit {maxAttributes}";
        }

        return clock.Check(time, "time_unix_nano");
    }

    private SeriesState? Series(Metric metric, RepeatedField<KeyValue> attributes, ref ApplyTally tally)
    {
        var state = cumulative.Acquire(SeriesKey(metric.Name, attributes));
        if (state is null)
        {
            tally.Reject(Describe(metric, "too many cumulative series (MaxCumulativeSeries)"));
        }

        return state;
    }

    private ReadOnlySpan<char> SeriesKey(string metricName, RepeatedField<KeyValue> attributes)
    {
        _seriesPrefix ??= _keys.Prefix(tenant, _resourceAttributes, _scope);
        return _keys.Key(_seriesPrefix, metricName, attributes);
    }

    private static string Describe(Metric metric, string problem) => $"metric '{metric.Name}': data point {problem}";
}
