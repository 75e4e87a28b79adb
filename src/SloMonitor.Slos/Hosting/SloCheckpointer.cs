using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Keeps the SLO windows across restarts: restores the series from <c>slo_state</c> at start-up (after the
/// definitions are loaded, as it is registered after the loader), writes them every
/// <c>Slos:CheckpointInterval</c> and once more at shutdown. A zero interval turns checkpoints off.
/// </summary>
internal sealed class SloCheckpointer(
    SloOptions options,
    SloEngine engine,
    SloStateStore store,
    TimeProvider time,
    ILogger<SloCheckpointer> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            try
            {
                var rows = await store.LoadAllAsync(cancellationToken);
                var restored = engine.Restore(rows.Select(r => new SloSeriesCheckpoint(r.Slo, r.SeriesKey, r.State)));
                logger.LogInformation("Restored {Restored} of {Saved} checkpointed SLI series", restored, rows.Count);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogError("Cannot restore the SLI series checkpoint; the SLO windows start empty: {Reason}", e.Message);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            await SaveAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.CheckpointInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.CheckpointInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SaveAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var rows = engine.Checkpoint().Select(c => new SloStateRow(c.Slo, c.SeriesKey, c.State, now)).ToList();
            await store.ReplaceAllAsync(rows, cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogError("Cannot write the SLI series checkpoint: {Reason}", e.Message);
        }
    }
}
