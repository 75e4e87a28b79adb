using Dapper;
using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Hosting;

/// <summary>
/// Keeps trying to reach PostgreSQL when start-up could not: migrates once it answers (backing off from 1 s to
/// <c>SloMonitor:DatabaseRetryMaxDelay</c>), then probes it every <c>SloMonitor:DatabaseProbeInterval</c> so that
/// <see cref="DatabaseHealth"/>, <c>/readyz</c> and <c>slomon_database_up</c> follow outages. Never stops the host.
/// </summary>
internal sealed class DatabaseMonitor(
    NpgsqlDataSource dataSource,
    DatabaseHealth health,
    ServiceOptions options,
    TimeProvider time,
    ILogger<DatabaseMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var delay = TimeSpan.FromSeconds(1);
            while (!health.IsMigrated)
            {
                if (await DatabaseStartup.TryMigrateAsync(dataSource, health, logger, stoppingToken))
                {
                    logger.LogInformation("PostgreSQL answers again; the service is no longer degraded");
                    break;
                }

                await Task.Delay(delay, time, stoppingToken);
                delay = delay * 2 > options.DatabaseRetryMaxDelay ? options.DatabaseRetryMaxDelay : delay * 2;
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.DatabaseProbeInterval, time, stoppingToken);
                await ProbeAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.DatabaseProbeInterval);
            var started = time.GetTimestamp();
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            DatabaseHealth.ObserveProbe(time.GetElapsedTime(started));
            if (!health.IsUp)
            {
                logger.LogInformation("PostgreSQL answers again");
            }

            health.MarkUp();
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) && !stoppingToken.IsCancellationRequested)
        {
            if (health.IsUp)
            {
                logger.LogWarning("PostgreSQL does not answer ({Reason}); ingest, evaluation and notifications go on without it", e.Message);
            }

            DatabaseHealth.CountError("probe");
            health.MarkDown(e.Message);
        }
    }
}
