using Prometheus;

namespace SloMonitor.Ingest;

/// <summary>Ingest counters on /metrics. Signals: traces, metrics, logs. Transports: grpc, http.</summary>
internal static class IngestMetrics
{
    public static readonly Counter Accepted = Prometheus.Metrics.CreateCounter(
        "slomon_ingest_accepted_total", "Spans, data points and log records accepted and applied.", "signal");

    public static readonly Counter Rejected = Prometheus.Metrics.CreateCounter(
        "slomon_ingest_rejected_total", "Spans, data points and log records rejected through OTLP partial success.", "signal");

    public static readonly Counter Throttled = Prometheus.Metrics.CreateCounter(
        "slomon_ingest_throttled_total", "Export requests answered with a retryable throttling status.", "signal");

    public static readonly Counter Requests = Prometheus.Metrics.CreateCounter(
        "slomon_ingest_requests_total", "Export requests by transport, signal and outcome.", "transport", "signal", "outcome");

    public static readonly Gauge InFlightRequests = Prometheus.Metrics.CreateGauge(
        "slomon_ingest_in_flight_requests", "Export requests being decoded or applied.");

    public static readonly Gauge InFlightItems = Prometheus.Metrics.CreateGauge(
        "slomon_ingest_in_flight_items", "Spans, data points and log records being applied.");

    public static readonly Gauge BytesInFlight = Prometheus.Metrics.CreateGauge(
        "slomon_ingest_in_flight_bytes", "Bytes of export request bodies being received, decoded or applied.");

    public static readonly Counter EvictedSeries = Prometheus.Metrics.CreateCounter(
        "slomon_ingest_cumulative_series_evicted_total", "Idle cumulative series evicted from the delta table to make room.");

    public static readonly Counter ReturnedSeries = Prometheus.Metrics.CreateCounter(
        "slomon_ingest_cumulative_series_returned_total",
        "Evicted cumulative series seen again: restarted from a baseline, or counted from a start time that proves a restart.",
        "outcome");

    public static readonly Gauge CumulativeSeries = Prometheus.Metrics.CreateGauge(
        "slomon_ingest_cumulative_series", "Cumulative series held in the delta table (bounded by MaxCumulativeSeries).");

    public static readonly Gauge EvictedRemembered = Prometheus.Metrics.CreateGauge(
        "slomon_ingest_cumulative_series_evicted_remembered", "Evicted cumulative series remembered (MaxEvictedCumulativeSeries).");

    public static void Record(string transport, string signal, RequestOutcome outcome)
    {
        Requests.WithLabels(transport, signal, OutcomeLabel(outcome)).Inc();
        if (outcome is RequestOutcome.Throttled or RequestOutcome.Unavailable)
        {
            Throttled.WithLabels(signal).Inc();
        }
    }

    public static void Count(string signal, in ApplyResult result)
    {
        if (result.Accepted > 0)
        {
            Accepted.WithLabels(signal).Inc(result.Accepted);
        }

        if (result.Rejected > 0)
        {
            Rejected.WithLabels(signal).Inc(result.Rejected);
        }
    }

    private static string OutcomeLabel(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Success => "success",
        RequestOutcome.PartialSuccess => "partial_success",
        RequestOutcome.Invalid => "invalid",
        RequestOutcome.TooLarge => "too_large",
        RequestOutcome.UnsupportedMediaType => "unsupported_media_type",
        RequestOutcome.Throttled => "throttled",
        _ => "unavailable",
    };
}

internal enum RequestOutcome
{
    Success,
    PartialSuccess,
    Invalid,
    TooLarge,
    UnsupportedMediaType,
    Throttled,
    Unavailable,
}
