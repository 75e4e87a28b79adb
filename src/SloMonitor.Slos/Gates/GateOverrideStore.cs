using Dapper;
using Npgsql;

namespace SloMonitor.Slos.Gates;

/// <summary>An override of a service's deploy gate: a release allowed whatever the policies say, until it expires.</summary>
public sealed record GateOverride(long Id, string Service, string Reason, string Author, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Overrides of deploy gates (<c>gate_override</c>); removed ones are kept, marked with who removed them.</summary>
public sealed class GateOverrideStore(NpgsqlDataSource dataSource)
{
    public async Task<GateOverride> CreateAsync(string tenant, string service, string reason, string author, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO gate_override (tenant, service, reason, author, created_at, expires_at)
            VALUES (@tenant, @service, @reason, @author, @createdAt, @expiresAt)
            RETURNING id
            """,
            new { tenant, service, reason, author, createdAt, expiresAt },
            cancellationToken: cancellationToken));
        return new GateOverride(id, service, reason, author, createdAt, expiresAt);
    }

    /// <summary>The overrides of <paramref name="service"/> not removed and not expired at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<GateOverride>> ActiveAsync(string tenant, string service, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Service, string Reason, string Author, DateTime CreatedAt, DateTime ExpiresAt)>(new CommandDefinition(
            """
            SELECT id, service, reason, author, created_at, expires_at FROM gate_override
            WHERE tenant = @tenant AND service = @service AND removed_at IS NULL AND expires_at > @now
            ORDER BY expires_at, id
            """,
            new { tenant, service, now },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new GateOverride(r.Id, r.Service, r.Reason, r.Author, Utc(r.CreatedAt), Utc(r.ExpiresAt)))];
    }

    /// <summary>Marks an override of <paramref name="service"/> removed; false when there is no such active one.</summary>
    public async Task<bool> RemoveAsync(string tenant, string service, long id, string removedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE gate_override SET removed_at = @now, removed_by = @removedBy
            WHERE id = @id AND tenant = @tenant AND service = @service AND removed_at IS NULL AND expires_at > @now
            """,
            new { tenant, service, id, removedBy, now },
            cancellationToken: cancellationToken)) > 0;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
