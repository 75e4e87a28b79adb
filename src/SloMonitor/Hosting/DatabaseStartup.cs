using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Hosting;

/// <summary>
/// Start-up's first try at PostgreSQL: waits for it (up to <c>SloMonitor:DatabaseStartupTimeout</c>) and applies the
/// migrations. When it does not answer in time the service starts anyway, degraded, and
/// <see cref="DatabaseMonitor"/> goes on trying.
/// </summary>
internal static class DatabaseStartup
{
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, DatabaseHealth health, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (!await TryMigrateAsync(dataSource, health, logger, cancellationToken))
        {
            if (time.GetUtcNow() >= deadline)
            {
                var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
                logger.LogWarning(
                    "Cannot reach PostgreSQL at {Host}:{Port} database '{Database}' ({Reason}); starting without it: ingest, file SLOs and notifications work, SLOs stored through the API and the SLI checkpoint load once it answers",
                    builder.Host, builder.Port, builder.Database, health.Problem);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
        }
    }

    /// <summary>One attempt: true once the schema is current.</summary>
    public static async Task<bool> TryMigrateAsync(NpgsqlDataSource dataSource, DatabaseHealth health, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var applied = await DatabaseSchema.ApplyAsync(dataSource, cancellationToken);
            logger.LogInformation("Database schema is current ({Applied} migrations applied now, {Known} known)", applied.Count, DatabaseSchema.Migrations.Count);
            health.MarkMigrated();
            return true;
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            DatabaseHealth.CountError("migrate");
            health.MarkDown(e.Message);
            return false;
        }
    }
}
