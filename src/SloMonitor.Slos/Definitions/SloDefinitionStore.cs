using Dapper;
using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Definitions;

/// <summary>
/// One SLO definition stored through the API: its JSON body as sent (or, from a bulk apply, its canonical JSON),
/// validated beforehand, the owner that manages it (null when none) and who wrote it last (the token's name).
/// </summary>
public sealed record SloDefinitionRow(string Name, string Definition, DateTimeOffset UpdatedAt, string? Owner = null, string? UpdatedBy = null, string Tenant = Tenants.Default);

/// <summary>
/// The rows a bulk apply reads before it decides: the names it sets and, when it prunes, the API SLOs of its
/// <see cref="Owner"/> whose labels contain <see cref="Labels"/> (a JSON object; null for any labels).
/// </summary>
public sealed record SloApplyScope(IReadOnlyList<string> Names, bool Prune, string? Owner, string? Labels);

/// <summary>What a bulk apply writes: rows to insert or replace (owner included), names to delete, and the audit rows of both.</summary>
public sealed record SloApplyWrite(IReadOnlyList<SloDefinitionRow> Upserts, IReadOnlyList<string> Deletes, IReadOnlyList<AuditRecord>? Audit = null);

/// <summary>SLO definitions managed through the API, one row per tenant and SLO name.</summary>
public sealed class SloDefinitionStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Inserts or replaces; returns true when the name was new. <paramref name="audit"/> (told whether it was new)
    /// gives the audit row, written in the same transaction.
    /// </summary>
    public async Task<bool> UpsertAsync(
        string tenant, string name, string definitionJson, DateTimeOffset updatedAt, string? updatedBy = null, Func<bool, AuditRecord>? audit = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            INSERT INTO slo_definition (tenant, name, definition, updated_at, updated_by) VALUES (@tenant, @name, @definitionJson::jsonb, @updatedAt, @updatedBy)
            ON CONFLICT (tenant, name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            RETURNING (xmax = 0)
            """,
            new { tenant, name, definitionJson, updatedAt, updatedBy },
            transaction,
            cancellationToken: cancellationToken));
        if (audit is not null)
        {
            await AuditRecords.InsertAsync(connection, transaction, [audit(created)], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>Deletes one row; <paramref name="audit"/> is written in the same transaction when there was one.</summary>
    public async Task<bool> DeleteAsync(string tenant, string name, AuditRecord? audit = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slo_definition WHERE tenant = @tenant AND name = @name", new { tenant, name }, transaction, cancellationToken: cancellationToken));
        if (deleted > 0 && audit is not null)
        {
            await AuditRecords.InsertAsync(connection, transaction, [audit], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    /// <summary>Every tenant's rows, by tenant and name.</summary>
    public async Task<IReadOnlyList<SloDefinitionRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Name, string Definition, DateTime UpdatedAt, string? Owner, string Tenant)>(new CommandDefinition(
            "SELECT name, definition::text, updated_at, owner, tenant FROM slo_definition ORDER BY tenant, name", cancellationToken: cancellationToken));
        return rows.Select(r => Row((r.Name, r.Definition, r.UpdatedAt, r.Owner)) with { Tenant = r.Tenant }).ToList();
    }

    /// <summary>
    /// How many rows there are and when the newest was written: changes when any instance creates, edits or deletes a
    /// stored SLO, so that the others know when to read the rows again.
    /// </summary>
    public async Task<(long Count, DateTime? Latest)> VersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, DateTime?)>(new CommandDefinition(
            "SELECT count(*), max(updated_at) FROM slo_definition", cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A bulk apply, all or nothing: in one transaction, and one apply at a time (a transaction-scoped advisory
    /// lock), reads the rows of <paramref name="scope"/> in <paramref name="tenant"/> locked for update, asks <paramref name="decide"/> what to
    /// write, writes it and commits. When <paramref name="decide"/> returns null (a dry run, an invalid set) nothing
    /// is written. Returns whether anything was committed.
    /// </summary>
    public async Task<bool> ApplyAsync(string tenant, SloApplyScope scope, Func<IReadOnlyList<SloDefinitionRow>, SloApplyWrite?> decide, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(decide);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = ApplyLockKey }, transaction, cancellationToken: cancellationToken));
        var current = await connection.QueryAsync<(string Name, string Definition, DateTime UpdatedAt, string? Owner)>(new CommandDefinition(
            """
            SELECT name, definition::text, updated_at, owner FROM slo_definition
            WHERE tenant = @tenant AND (name = ANY(@names)
               OR (@prune AND (@owner::text IS NULL OR owner = @owner)
                          AND (@labels::jsonb IS NULL OR coalesce(definition->'labels', '{}') @> @labels::jsonb)))
            ORDER BY name
            FOR UPDATE
            """,
            new { tenant, names = scope.Names.ToArray(), prune = scope.Prune, owner = scope.Owner, labels = scope.Labels },
            transaction,
            cancellationToken: cancellationToken));
        if (decide(current.Select(Row).ToList()) is not { } write)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO slo_definition (tenant, name, definition, updated_at, owner, updated_by)
            SELECT @tenant, name, definition::jsonb, updated_at, owner, updated_by
            FROM unnest(@names, @definitions, @updatedAts, @owners, @updatedBys) AS u(name, definition, updated_at, owner, updated_by)
            ON CONFLICT (tenant, name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at, owner = excluded.owner,
                updated_by = excluded.updated_by
            """,
            new
            {
                tenant,
                names = write.Upserts.Select(r => r.Name).ToArray(),
                definitions = write.Upserts.Select(r => r.Definition).ToArray(),
                updatedAts = write.Upserts.Select(r => r.UpdatedAt).ToArray(),
                owners = write.Upserts.Select(r => r.Owner).ToArray(),
                updatedBys = write.Upserts.Select(r => r.UpdatedBy).ToArray(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slo_definition WHERE tenant = @tenant AND name = ANY(@names)", new { tenant, names = write.Deletes.ToArray() }, transaction, cancellationToken: cancellationToken));
        if (write.Audit is { Count: > 0 } audit)
        {
            await AuditRecords.InsertAsync(connection, transaction, audit, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    // Any constant shared by every instance of the service; "SLOAPPLY" in ASCII.
    private const long ApplyLockKey = 0x534C4F4150504C59;

    private static SloDefinitionRow Row((string Name, string Definition, DateTime UpdatedAt, string? Owner) row) =>
        new(row.Name, row.Definition, new DateTimeOffset(row.UpdatedAt, TimeSpan.Zero), row.Owner);
}
