using System.Collections.Concurrent;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest.Tests.Support;

/// <summary>A sink that copies every event it receives, so tests can assert what reached the SLI core.</summary>
internal sealed class CapturingSink : ITelemetrySink
{
    private static readonly string[] ProbeKeys =
    [
        "http.route", "http.response.status_code", "rpc.grpc.status_code", "retry", "ratio", "route",
        "deployment.environment", "span.kind", "status.code", "service.name", "tier",
    ];

    public ConcurrentQueue<CapturedSpan> Spans { get; } = new();

    public ConcurrentQueue<CapturedPoint> Points { get; } = new();

    /// <summary>Runs inside OnSpan/OnMetricPoint, before the event is captured (to block or throw).</summary>
    public Action? OnEvent { get; set; }

    public void OnSpan(in SpanEvent span)
    {
        OnEvent?.Invoke();
        Spans.Enqueue(new CapturedSpan(
            span.ServiceName, span.Name, span.Kind, span.StatusCode, span.StartTimeUnixNano, span.EndTimeUnixNano,
            span.DurationSeconds, span.ScopeName, Probe(span.TryGetAttribute)));
    }

    public void OnMetricPoint(in MetricPointEvent point)
    {
        OnEvent?.Invoke();
        Points.Enqueue(new CapturedPoint(
            point.ServiceName, point.MetricName, point.Kind, point.IsMonotonic, point.TimeUnixNano, point.Value,
            point.Count, point.Sum, point.ExplicitBounds.ToArray(), point.BucketCounts.ToArray(), point.ExponentialScale,
            point.ZeroCount, point.PositiveOffset, point.PositiveBucketCounts.ToArray(), Probe(point.TryGetAttribute)));
    }

    private delegate bool TryGet(string key, out string value);

    private static Dictionary<string, string> Probe(TryGet tryGet)
    {
        var found = new Dictionary<string, string>();
        foreach (var key in ProbeKeys)
        {
            if (tryGet(key, out var value))
            {
                found[key] = value;
            }
        }

        return found;
    }
}

internal sealed record CapturedSpan(
    string ServiceName, string Name, SpanKind Kind, SpanStatusCode StatusCode, long StartTimeUnixNano, long EndTimeUnixNano,
    double DurationSeconds, string? ScopeName, Dictionary<string, string> Attributes);

internal sealed record CapturedPoint(
    string ServiceName, string MetricName, MetricPointKind Kind, bool IsMonotonic, long TimeUnixNano, double Value,
    long Count, double Sum, double[] ExplicitBounds, ulong[] BucketCounts, int ExponentialScale, ulong ZeroCount,
    int PositiveOffset, ulong[] PositiveBucketCounts, Dictionary<string, string> Attributes);
