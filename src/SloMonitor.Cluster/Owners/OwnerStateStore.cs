using Dapper;
using Npgsql;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Cluster.Owners;

/// <summary>What an owner grain keeps of itself: its SLO's tracks and the last sequence it applied from each instance, and when.</summary>
internal sealed record OwnerState(IReadOnlyList<SloSeriesCheckpoint> Tracks, IReadOnlyDictionary<string, AppliedBatch> Applied);

/// <summary>The last batch an owner applied from one instance: its sequence, and when.</summary>
internal readonly record struct AppliedBatch(long Sequence, DateTimeOffset At);

/// <summary>
/// The owners' state in PostgreSQL (<c>cluster_owner_state</c>, <c>cluster_owner_applied</c>, migrations 0014 and 0015): read when
/// an owner activates, replaced as a whole, tracks and sequences together, when it saves.
/// </summary>
internal sealed class OwnerStateStore(NpgsqlDataSource dataSource)
{
    public async Task<OwnerState> LoadAsync(string tenant, string slo, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var key = new { tenant, slo };
        var tracks = await connection.QueryAsync<(string SeriesKey, byte[] State)>(new CommandDefinition(
            "SELECT series_key, state FROM cluster_owner_state WHERE tenant = @tenant AND slo = @slo", key, cancellationToken: cancellationToken));
        var applied = await connection.QueryAsync<(string InstanceId, long Sequence, DateTime AppliedAt)>(new CommandDefinition(
            "SELECT instance_id, sequence, applied_at FROM cluster_owner_applied WHERE tenant = @tenant AND slo = @slo", key, cancellationToken: cancellationToken));
        return new OwnerState(
            [.. tracks.Select(t => new SloSeriesCheckpoint(slo, t.SeriesKey, t.State, tenant))],
            applied.ToDictionary(a => a.InstanceId, a => new AppliedBatch(a.Sequence, new DateTimeOffset(DateTime.SpecifyKind(a.AppliedAt, DateTimeKind.Utc))), StringComparer.Ordinal));
    }

    public async Task SaveAsync(string tenant, string slo, OwnerState state, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var key = new { tenant, slo };
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cluster_owner_state WHERE tenant = @tenant AND slo = @slo", key, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cluster_owner_applied WHERE tenant = @tenant AND slo = @slo", key, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO cluster_owner_state (tenant, slo, series_key, state, saved_at)
            SELECT @tenant, @slo, k, s, @now FROM unnest(@keys, @states) AS t (k, s)
            """,
            new { tenant, slo, now, keys = state.Tracks.Select(t => t.SeriesKey).ToArray(), states = state.Tracks.Select(t => t.State).ToArray() },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO cluster_owner_applied (tenant, slo, instance_id, sequence, applied_at)
            SELECT @tenant, @slo, i, q, a FROM unnest(@instances, @sequences, @ats) AS t (i, q, a)
            """,
            new
            {
                tenant,
                slo,
                instances = state.Applied.Keys.ToArray(),
                sequences = state.Applied.Values.Select(a => a.Sequence).ToArray(),
                ats = state.Applied.Values.Select(a => a.At.UtcDateTime).ToArray(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
