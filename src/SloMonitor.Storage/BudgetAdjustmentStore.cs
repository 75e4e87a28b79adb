using Dapper;
using Npgsql;

namespace SloMonitor.Storage;

/// <summary>A time range taken out of an SLO's budget, with who declared it and why.</summary>
public sealed record BudgetAdjustment(long Id, string Slo, DateTimeOffset From, DateTimeOffset To, string Reason, string Author, DateTimeOffset CreatedAt);

/// <summary>Budget adjustments (<c>budget_adjustment</c>); deleted ones are kept, marked with who deleted them.</summary>
public sealed class BudgetAdjustmentStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, slo, from_at, to_at, reason, author, created_at";

    public async Task<BudgetAdjustment> CreateAsync(string slo, DateTimeOffset from, DateTimeOffset to, string reason, string author, DateTimeOffset createdAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO budget_adjustment (slo, from_at, to_at, reason, author, created_at)
            VALUES (@slo, @from, @to, @reason, @author, @createdAt)
            RETURNING id
            """,
            new { slo, from, to, reason, author, createdAt },
            cancellationToken: cancellationToken));
        return new BudgetAdjustment(id, slo, from, to, reason, author, createdAt);
    }

    /// <summary>The adjustments of <paramref name="slo"/> not deleted, by start; every SLO's when it is null.</summary>
    public async Task<IReadOnlyList<BudgetAdjustment>> ListAsync(string? slo, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Slo, DateTime From, DateTime To, string Reason, string Author, DateTime CreatedAt)>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM budget_adjustment
            WHERE deleted_at IS NULL AND (@slo::text IS NULL OR slo = @slo)
            ORDER BY slo, from_at, id
            """,
            new { slo },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new BudgetAdjustment(r.Id, r.Slo, Utc(r.From), Utc(r.To), r.Reason, r.Author, Utc(r.CreatedAt)))];
    }

    /// <summary>How many adjustments of <paramref name="slo"/> are not deleted.</summary>
    public async Task<int> CountAsync(string slo, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM budget_adjustment WHERE slo = @slo AND deleted_at IS NULL", new { slo }, cancellationToken: cancellationToken));
    }

    /// <summary>Marks an adjustment of <paramref name="slo"/> deleted; false when there is no such one.</summary>
    public async Task<bool> DeleteAsync(string slo, long id, string deletedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE budget_adjustment SET deleted_at = @now, deleted_by = @deletedBy WHERE id = @id AND slo = @slo AND deleted_at IS NULL",
            new { slo, id, deletedBy, now },
            cancellationToken: cancellationToken)) > 0;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
