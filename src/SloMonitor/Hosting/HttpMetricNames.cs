using Prometheus;
using Prometheus.HttpMetrics;

namespace SloMonitor.Hosting;

/// <summary>prometheus-net's HTTP request metrics under the service's own <c>slomon_</c> prefix.</summary>
internal static class HttpMetricNames
{
    public static void Configure(HttpMiddlewareExporterOptions options)
    {
        options.ReduceStatusCodeCardinality();
        options.RequestCount.Counter = Metrics.CreateCounter(
            "slomon_http_requests_total", "HTTP requests served, by status class, method and endpoint.",
            new CounterConfiguration { LabelNames = ["code", "method", "endpoint"] });
        options.RequestDuration.Histogram = Metrics.CreateHistogram(
            "slomon_http_request_duration_seconds", "Duration of HTTP requests served.",
            new HistogramConfiguration { LabelNames = ["code", "method", "endpoint"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        options.InProgress.Gauge = Metrics.CreateGauge(
            "slomon_http_requests_in_progress", "HTTP requests being served now.",
            new GaugeConfiguration { LabelNames = ["method", "endpoint"] });
    }
}
