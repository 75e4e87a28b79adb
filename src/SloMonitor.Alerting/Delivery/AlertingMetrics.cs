using Prometheus;

namespace SloMonitor.Alerting.Delivery;

/// <summary>Notification outcomes and the outbox backlog on /metrics.</summary>
internal sealed class AlertingMetrics
{
    private static readonly Counter Notifications = Metrics.CreateCounter(
        "slomon_notifications_total",
        "Notification delivery attempts by receiver and outcome (delivered, retried, failed).",
        new CounterConfiguration { LabelNames = ["receiver", "outcome"] });

    private static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "slomon_notification_queue_depth",
        "Notifications in the outbox not yet delivered or given up.");

    private static readonly Gauge OldestPendingAge = Metrics.CreateGauge(
        "slomon_notification_oldest_pending_age_seconds",
        "Age of the oldest notification in the outbox not yet delivered or given up; 0 when there is none.");

    public void Outcome(string receiver, string outcome) => Notifications.WithLabels(receiver, outcome).Inc();

    public void SetBacklog(long depth, DateTimeOffset? oldestCreatedAt, DateTimeOffset now)
    {
        QueueDepth.Set(depth);
        OldestPendingAge.Set(oldestCreatedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0);
    }
}
