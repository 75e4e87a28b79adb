using System.Diagnostics.Tracing;
using Prometheus;

namespace SloMonitor.Hosting;

/// <summary>
/// Every pause of the runtime's garbage collector as <c>slomon_gc_pause_seconds</c>: the time from the suspension of
/// the managed threads to their restart, read from the runtime's own GC events (the GC keyword at informational
/// level: a handful of events per collection, none per allocation). The runtime's meters give only the total pause
/// time; a pause histogram is what shows whether ingest and evaluation stall.
/// </summary>
internal sealed class GcPauseMetrics : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private static readonly Histogram Pauses = Metrics.CreateHistogram(
        "slomon_gc_pause_seconds",
        "Pauses of the garbage collector: from the suspension of managed threads to their restart.",
        new HistogramConfiguration { Buckets = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });

    private static GcPauseMetrics? _instance;
    private DateTime _suspendedAt;

    private GcPauseMetrics()
    {
    }

    /// <summary>Starts the one listener of the process (hosts built again in the same process share it).</summary>
    public static void EnsureStarted() => LazyInitializer.EnsureInitialized(ref _instance, () => new GcPauseMetrics());

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        // The runtime's clock stamps these events; the pause is the difference of two stamps, not a reading of time here.
        switch (e.EventName)
        {
            case "GCSuspendEEBegin_V1":
                _suspendedAt = e.TimeStamp;
                break;
            case "GCRestartEEEnd_V1" when _suspendedAt != default:
                Pauses.Observe(Math.Max(0, (e.TimeStamp - _suspendedAt).TotalSeconds));
                _suspendedAt = default;
                break;
        }
    }
}
