using Google.Protobuf.Collections;
using SloMonitor.Otlp.Common;

namespace SloMonitor.Otlp;

/// <summary>
/// One accepted metric data point, with cumulative series already turned into deltas. A view over buffers that
/// ingest reuses: valid only during <see cref="ITelemetrySink.OnMetricPoint"/>.
/// </summary>
public readonly struct MetricPointEvent
{
    private readonly RepeatedField<KeyValue>? _attributes;
    private readonly RepeatedField<KeyValue>? _resourceAttributes;
    private readonly ReadOnlyMemory<double> _explicitBounds;
    private readonly ReadOnlyMemory<ulong> _bucketCounts;
    private readonly ReadOnlyMemory<ulong> _positiveBucketCounts;
    private readonly RepeatedField<Otlp.Metrics.Exemplar>? _exemplars;

    internal MetricPointEvent(in MetricPointData data, RepeatedField<KeyValue>? attributes, RepeatedField<KeyValue>? resourceAttributes)
    {
        ServiceName = data.ServiceName;
        MetricName = data.MetricName;
        Kind = data.Kind;
        IsMonotonic = data.IsMonotonic;
        TimeUnixNano = data.TimeUnixNano;
        Value = data.Value;
        Count = data.Count;
        Sum = data.Sum;
        _explicitBounds = data.ExplicitBounds;
        _bucketCounts = data.BucketCounts;
        ExponentialScale = data.ExponentialScale;
        ZeroCount = data.ZeroCount;
        PositiveOffset = data.PositiveOffset;
        _positiveBucketCounts = data.PositiveBucketCounts;
        _exemplars = data.Exemplars;
        _attributes = attributes;
        _resourceAttributes = resourceAttributes;
    }

    public string ServiceName { get; }

    public string MetricName { get; }

    public MetricPointKind Kind { get; }

    /// <summary>For Sum: whether the sum only goes up (a counter).</summary>
    public bool IsMonotonic { get; }

    public long TimeUnixNano { get; }

    /// <summary>Sum: the delta since the previous point of the series (cumulative sums converted). Gauge: the value.</summary>
    public double Value { get; }

    /// <summary>Histograms: the delta count.</summary>
    public long Count { get; }

    /// <summary>Histograms: the delta sum, NaN when the exporter sent none.</summary>
    public double Sum { get; }

    /// <summary>Histogram: the bucket upper bounds.</summary>
    public ReadOnlySpan<double> ExplicitBounds => _explicitBounds.Span;

    /// <summary>Histogram: delta bucket counts, one more than <see cref="ExplicitBounds"/> (or none at all).</summary>
    public ReadOnlySpan<ulong> BucketCounts => _bucketCounts.Span;

    public int ExponentialScale { get; }

    /// <summary>ExponentialHistogram: delta count of the zero bucket.</summary>
    public ulong ZeroCount { get; }

    public int PositiveOffset { get; }

    /// <summary>ExponentialHistogram: delta counts of the positive buckets, starting at <see cref="PositiveOffset"/>.</summary>
    public ReadOnlySpan<ulong> PositiveBucketCounts => _positiveBucketCounts.Span;

    /// <summary>The exemplars the exporter attached to the point (the data point's <c>exemplars</c> field).</summary>
    public int ExemplarCount => _exemplars?.Count ?? 0;

    /// <summary>The trace id of exemplar <paramref name="index"/> (empty when it has none).</summary>
    public ReadOnlySpan<byte> ExemplarTraceId(int index) => _exemplars![index].TraceId.Span;

    /// <summary>The span id of exemplar <paramref name="index"/> (empty when it has none).</summary>
    public ReadOnlySpan<byte> ExemplarSpanId(int index) => _exemplars![index].SpanId.Span;

    /// <summary>When exemplar <paramref name="index"/> was measured (0 when the exporter did not say).</summary>
    public long ExemplarTimeUnixNano(int index) => (long)_exemplars![index].TimeUnixNano;

    /// <summary>The value of exemplar <paramref name="index"/> (NaN when it carries none).</summary>
    public double ExemplarValue(int index) => _exemplars![index] switch
    {
        { ValueCase: Otlp.Metrics.Exemplar.ValueOneofCase.AsDouble } e => e.AsDouble,
        { ValueCase: Otlp.Metrics.Exemplar.ValueOneofCase.AsInt } e => e.AsInt,
        _ => double.NaN,
    };

    /// <summary>
    /// Looks up "service.name", then the point's attributes, then the resource's. Non-string values are formatted
    /// invariantly.
    /// </summary>
    public bool TryGetAttribute(string key, out string value)
    {
        if (string.Equals(key, "service.name", StringComparison.Ordinal))
        {
            value = ServiceName;
            return true;
        }

        return AttributeText.TryFind(_attributes, key, out value)
            || AttributeText.TryFind(_resourceAttributes, key, out value);
    }

    /// <summary><see cref="TryGetAttribute"/> without allocating for string, boolean and number values.</summary>
    public bool TryGetAttributeText(string key, Span<char> scratch, out ReadOnlySpan<char> text)
    {
        if (string.Equals(key, "service.name", StringComparison.Ordinal))
        {
            text = ServiceName;
            return true;
        }

        return AttributeText.TryFindText(_attributes, key, scratch, out text)
            || AttributeText.TryFindText(_resourceAttributes, key, scratch, out text);
    }

    /// <summary>Builds a Sum point (already a delta), for tests and tools that feed a sink directly.</summary>
    public static MetricPointEvent ForSum(
        string serviceName, string metricName, long timeUnixNano, double delta, bool isMonotonic = true,
        IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        var data = MetricPointData.Start(serviceName, metricName, MetricPointKind.Sum, timeUnixNano);
        data.IsMonotonic = isMonotonic;
        data.Value = delta;
        return Build(data, attributes);
    }

    /// <summary>Builds a Gauge point, for tests and tools that feed a sink directly.</summary>
    public static MetricPointEvent ForGauge(
        string serviceName, string metricName, long timeUnixNano, double value,
        IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        var data = MetricPointData.Start(serviceName, metricName, MetricPointKind.Gauge, timeUnixNano);
        data.Value = value;
        return Build(data, attributes);
    }

    /// <summary>Builds an explicit-bucket Histogram point (delta), for tests and tools that feed a sink directly.</summary>
    public static MetricPointEvent ForHistogram(
        string serviceName, string metricName, long timeUnixNano, long count, double sum,
        double[] explicitBounds, ulong[] bucketCounts, IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(explicitBounds);
        ArgumentNullException.ThrowIfNull(bucketCounts);
        if (bucketCounts.Length != explicitBounds.Length + 1)
        {
            throw new ArgumentException("bucketCounts must have one more element than explicitBounds.", nameof(bucketCounts));
        }

        var data = MetricPointData.Start(serviceName, metricName, MetricPointKind.Histogram, timeUnixNano);
        data.Count = count;
        data.Sum = sum;
        data.ExplicitBounds = explicitBounds;
        data.BucketCounts = bucketCounts;
        return Build(data, attributes);
    }

    /// <summary>Builds an ExponentialHistogram point (delta), for tests and tools that feed a sink directly.</summary>
    public static MetricPointEvent ForExponentialHistogram(
        string serviceName, string metricName, long timeUnixNano, long count, double sum, int scale, ulong zeroCount,
        int positiveOffset, ulong[] positiveBucketCounts, IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(positiveBucketCounts);
        var data = MetricPointData.Start(serviceName, metricName, MetricPointKind.ExponentialHistogram, timeUnixNano);
        data.Count = count;
        data.Sum = sum;
        data.ExponentialScale = scale;
        data.ZeroCount = zeroCount;
        data.PositiveOffset = positiveOffset;
        data.PositiveBucketCounts = positiveBucketCounts;
        return Build(data, attributes);
    }

    private static MetricPointEvent Build(in MetricPointData data, IEnumerable<KeyValuePair<string, string>>? attributes)
    {
        var fields = new RepeatedField<KeyValue>();
        AttributeText.AddAll(fields, attributes);
        return new MetricPointEvent(data, fields, null);
    }
}

/// <summary>The mutable fields of a <see cref="MetricPointEvent"/>, filled by ingest before the event is made.</summary>
internal struct MetricPointData
{
    public string ServiceName;
    public string MetricName;
    public MetricPointKind Kind;
    public bool IsMonotonic;
    public long TimeUnixNano;
    public double Value;
    public long Count;
    public double Sum;
    public ReadOnlyMemory<double> ExplicitBounds;
    public ReadOnlyMemory<ulong> BucketCounts;
    public int ExponentialScale;
    public ulong ZeroCount;
    public int PositiveOffset;
    public ReadOnlyMemory<ulong> PositiveBucketCounts;
    public RepeatedField<Otlp.Metrics.Exemplar>? Exemplars;

    public static MetricPointData Start(string serviceName, string metricName, MetricPointKind kind, long timeUnixNano)
    {
        ArgumentNullException.ThrowIfNull(serviceName);
        ArgumentNullException.ThrowIfNull(metricName);
        return new MetricPointData
        {
            ServiceName = serviceName,
            MetricName = metricName,
            Kind = kind,
            TimeUnixNano = timeUnixNano,
            Sum = double.NaN,
        };
    }
}
