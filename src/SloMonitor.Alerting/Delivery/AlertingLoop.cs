using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Spool;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// One tick of alerting: move the local spool into PostgreSQL when it answers, return timed-out acknowledgements,
/// flush due groups, start due deliveries (from the outbox, and from the spool), publish the queue depths. While
/// PostgreSQL is away only what works without it runs, and it is probed once a second. The hosted service runs it every <see cref="AlertingOptions.TickInterval"/>; tests call
/// <see cref="RunOnceAsync"/> after moving a fake clock.
/// </summary>
internal sealed class AlertingLoop(
    Dispatcher dispatcher,
    OutboxDispatcher outbox,
    OutboxStore outboxStore,
    IncidentStore incidents,
    NotificationSpool spool,
    SpoolDispatcher spoolDispatcher,
    SpoolRecovery recovery,
    DatabaseOutage outage,
    NpgsqlDataSource dataSource,
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
        var started = new List<Task>();
        try
        {
            await ProbeAsync(cancellationToken);
            if (!outage.IsDown)
            {
                await recovery.MoveAsync(cancellationToken);
                await incidents.ReturnExpiredAcknowledgementsAsync(cancellationToken);
            }
        }
        catch (Exception e) when (outage.Caught(e))
        {
            // Decisions go to the spool until the database answers.
        }

        await dispatcher.FlushDueAsync(cancellationToken);
        started.AddRange(spoolDispatcher.StartDue());
        if (!outage.IsDown)
        {
            try
            {
                started.AddRange(await outbox.StartDueAsync(cancellationToken));
                var (pending, oldest) = await outboxStore.PendingAsync(cancellationToken);
                var now = time.GetUtcNow();
                metrics.SetBacklog(pending, oldest, now);
                if (now - _lastPurge >= TimeSpan.FromHours(1))
                {
                    _lastPurge = now;
                    await outboxStore.PurgeAsync(now - Retention, cancellationToken);
                }
            }
            catch (Exception e) when (outage.Caught(e))
            {
            }
        }

        spool.Publish();
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
    }

    /// <summary>While the database counts as away, asks it (once a second) whether it answers again.</summary>
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (!outage.ProbeDue())
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*) FROM notification_log WHERE false", cancellationToken: cancellationToken));
        outage.MarkUp();
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
