using System.Collections.Concurrent;
using Prometheus;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// Notification outcomes and the outbox backlog on /metrics. Outcomes name a tenant's receivers, so they are counted
/// in a registry of that tenant's own (<see cref="RegistryOf"/>), which /metrics shows a caller of that tenant only;
/// the backlog is the service's own figure, in the default registry.
/// </summary>
public sealed class AlertingMetrics
{
    private static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "slomon_notification_queue_depth",
        "Notifications in the outbox not yet delivered or given up.");

    private static readonly Gauge OldestPendingAge = Metrics.CreateGauge(
        "slomon_notification_oldest_pending_age_seconds",
        "Age of the oldest notification in the outbox not yet delivered or given up; 0 when there is none.");

    private readonly ConcurrentDictionary<string, (CollectorRegistry Registry, Counter Notifications)> _tenants = new(StringComparer.Ordinal);

    /// <summary>The tenant's notification outcomes, for /metrics asked with that tenant's token.</summary>
    public CollectorRegistry RegistryOf(string tenant) => Of(tenant).Registry;

    internal void Outcome(string tenant, string receiver, string outcome) => Of(tenant).Notifications.WithLabels(receiver, outcome).Inc();

    internal void SetBacklog(long depth, DateTimeOffset? oldestCreatedAt, DateTimeOffset now)
    {
        QueueDepth.Set(depth);
        OldestPendingAge.Set(oldestCreatedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0);
    }

    private (CollectorRegistry Registry, Counter Notifications) Of(string tenant) => _tenants.GetOrAdd(tenant, static _ =>
    {
        var registry = Metrics.NewCustomRegistry();
        var notifications = Metrics.WithCustomRegistry(registry).CreateCounter(
            "slomon_notifications_total",
            "Notification delivery attempts by receiver and outcome (delivered, retried, failed).",
            new CounterConfiguration { LabelNames = ["receiver", "outcome"] });
        return (registry, notifications);
    });
}
