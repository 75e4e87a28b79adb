using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// One tick of alerting: return timed-out acknowledgements, flush due groups, start due deliveries, publish the
/// queue depth. The hosted service runs it every <see cref="AlertingOptions.TickInterval"/>; tests call
/// <see cref="RunOnceAsync"/> after moving a fake clock.
/// </summary>
internal sealed class AlertingLoop(
    Dispatcher dispatcher,
    OutboxDispatcher outbox,
    OutboxStore outboxStore,
    IncidentStore incidents,
    AlertingMetrics metrics,
    AlertingOptions options,
    TimeProvider time,
    ILogger<AlertingLoop> logger) : BackgroundService
{
    /// <summary>Delivered notifications are kept this long in the outbox (their outcome stays in the timeline).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private readonly List<Task> _deliveries = [];
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>Runs one tick; with <paramref name="waitForDeliveries"/> it returns after every started delivery is recorded.</summary>
    public async Task RunOnceAsync(bool waitForDeliveries, CancellationToken cancellationToken)
    {
        await incidents.ReturnExpiredAcknowledgementsAsync(cancellationToken);
        await dispatcher.FlushDueAsync(cancellationToken);
        var started = await outbox.StartDueAsync(cancellationToken);
        if (waitForDeliveries)
        {
            await Task.WhenAll(started);
        }
        else
        {
            lock (_deliveries)
            {
                _deliveries.RemoveAll(t => t.IsCompleted);
                _deliveries.AddRange(started);
            }
        }

        metrics.SetQueueDepth(await outboxStore.PendingCountAsync(cancellationToken));
        var now = time.GetUtcNow();
        if (now - _lastPurge >= TimeSpan.FromHours(1))
        {
            _lastPurge = now;
            await outboxStore.PurgeAsync(now - Retention, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.TickInterval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(waitForDeliveries: false, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(ex, "Alerting tick failed; retrying at the next tick");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: in-flight deliveries finish within their own timeout below.
        }

        Task[] pending;
        lock (_deliveries)
        {
            pending = [.. _deliveries];
        }

        await Task.WhenAll(pending);
    }
}
