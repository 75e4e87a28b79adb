using Dapper;
using Npgsql;

namespace SloMonitor.Storage;

/// <summary>One SLO definition stored through the API: its JSON body as sent, validated beforehand.</summary>
public sealed record SloDefinitionRow(string Name, string Definition, DateTimeOffset UpdatedAt);

/// <summary>SLO definitions managed through the API, one row per SLO name.</summary>
public sealed class SloDefinitionStore(NpgsqlDataSource dataSource)
{
    /// <summary>Inserts or replaces; returns true when the name was new.</summary>
    public async Task<bool> UpsertAsync(string name, string definitionJson, DateTimeOffset updatedAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            INSERT INTO slo_definition (name, definition, updated_at) VALUES (@name, @definitionJson::jsonb, @updatedAt)
            ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
            RETURNING (xmax = 0)
            """,
            new { name, definitionJson, updatedAt },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slo_definition WHERE name = @name", new { name }, cancellationToken: cancellationToken));
        return deleted > 0;
    }

    public async Task<IReadOnlyList<SloDefinitionRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Name, string Definition, DateTime UpdatedAt)>(new CommandDefinition(
            "SELECT name, definition::text, updated_at FROM slo_definition ORDER BY name", cancellationToken: cancellationToken));
        return rows.Select(r => new SloDefinitionRow(r.Name, r.Definition, new DateTimeOffset(r.UpdatedAt, TimeSpan.Zero))).ToList();
    }
}
