using SloMonitor.Otlp;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>Counts what it is given and reads one attribute, as a selector does (UTF-8, in place); keeps nothing.</summary>
internal sealed class NullSink : ITelemetrySink
{
    private long _spans;
    private long _points;

    public long Spans => Interlocked.Read(ref _spans);

    public long Points => Interlocked.Read(ref _points);

    public void OnSpan(in SpanEvent span)
    {
        Span<byte> scratch = stackalloc byte[32];
        if (span.TryGetAttributeUtf8("http.route"u8, scratch, out _))
        {
            Interlocked.Increment(ref _spans);
        }
    }

    public void OnMetricPoint(in MetricPointEvent point) => Interlocked.Increment(ref _points);
}
