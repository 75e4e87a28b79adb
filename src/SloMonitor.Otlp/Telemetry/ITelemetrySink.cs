namespace SloMonitor.Otlp;

/// <summary>
/// The SLI core's entry point. Ingest calls it on the request thread, once for every accepted span or data point,
/// before the exporter gets its answer. The events are only valid during the call: copy what you need.
/// </summary>
public interface ITelemetrySink
{
    void OnSpan(in SpanEvent span);

    void OnMetricPoint(in MetricPointEvent point);
}
