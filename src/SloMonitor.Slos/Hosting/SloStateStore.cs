using Dapper;
using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>One checkpointed SLI series.</summary>
public sealed record SloStateRow(string Slo, string SeriesKey, byte[] State, DateTimeOffset SavedAt, string Tenant = Tenants.Default);

/// <summary>Checkpoints of SLI series: written periodically and at shutdown, read once at start-up.</summary>
public sealed class SloStateStore(NpgsqlDataSource dataSource)
{
    /// <summary>Replaces the checkpoint with <paramref name="rows"/> in one transaction; series not in it are dropped.</summary>
    public async Task ReplaceAllAsync(IReadOnlyList<SloStateRow> rows, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM slo_state", transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(
            new CommandDefinition(
                """
                INSERT INTO slo_state (tenant, slo, series_key, state, saved_at)
                SELECT * FROM unnest(@tenants, @slos, @keys, @states, @savedAts)
                """,
                new
                {
                    tenants = rows.Select(r => r.Tenant).ToArray(),
                    slos = rows.Select(r => r.Slo).ToArray(),
                    keys = rows.Select(r => r.SeriesKey).ToArray(),
                    states = rows.Select(r => r.State).ToArray(),
                    savedAts = rows.Select(r => r.SavedAt).ToArray(),
                },
                transaction,
                cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SloStateRow>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Tenant, string Slo, string SeriesKey, byte[] State, DateTime SavedAt)>(
            new CommandDefinition("SELECT tenant, slo, series_key, state, saved_at FROM slo_state", cancellationToken: cancellationToken));
        return rows.Select(r => new SloStateRow(r.Slo, r.SeriesKey, r.State, new DateTimeOffset(r.SavedAt, TimeSpan.Zero), r.Tenant)).ToList();
    }
}
