using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Metrics;

namespace SloMonitor.Ingest;

/// <summary>Counts the items of a request, to reserve room in the pipeline before applying it.</summary>
internal static class ItemCounter
{
    public static int Count(ExportTraceServiceRequest request)
    {
        var count = 0;
        foreach (var resource in request.ResourceSpans)
        {
            foreach (var scope in resource.ScopeSpans)
            {
                count += scope.Spans.Count;
            }
        }

        return count;
    }

    public static int Count(ExportMetricsServiceRequest request)
    {
        var count = 0;
        foreach (var resource in request.ResourceMetrics)
        {
            foreach (var scope in resource.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    count += Count(metric);
                }
            }
        }

        return count;
    }

    public static int Count(ExportLogsServiceRequest request)
    {
        var count = 0;
        foreach (var resource in request.ResourceLogs)
        {
            foreach (var scope in resource.ScopeLogs)
            {
                count += scope.LogRecords.Count;
            }
        }

        return count;
    }

    public static int Count(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };
}
