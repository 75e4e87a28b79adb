using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Hosting;

/// <summary>Waits for PostgreSQL (up to a timeout) and applies the migrations before the listeners open.</summary>
internal static class DatabaseStartup
{
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, TimeSpan timeout, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                var applied = await MigrationRunner.ApplyAsync(dataSource, cancellationToken);
                logger.LogInformation("Database schema is current ({Applied} migrations applied now, {Known} known)", applied.Count, MigrationRunner.Scripts.Count);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && time.GetUtcNow() < deadline)
            {
                logger.LogWarning("PostgreSQL is not answering yet ({Reason}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
                throw new StartupException($"cannot reach PostgreSQL at {builder.Host}:{builder.Port} database '{builder.Database}': {e.Message}", e);
            }
        }
    }
}
