using Dapper;
using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Budgets;

/// <summary>
/// A time range taken out of an SLO's budget, with who declared it and why; repeated every
/// <see cref="Recurrence"/> when it has one, and linked to an incident when <see cref="IncidentId"/> is set.
/// </summary>
public sealed record BudgetAdjustment(long Id, string Slo, DateTimeOffset From, DateTimeOffset To, string Reason, string Author, DateTimeOffset CreatedAt)
{
    public AdjustmentRecurrence? Recurrence { get; init; }

    public long? IncidentId { get; init; }

    /// <summary>Only the events of the SLO's groups matching this selector (over its <c>groupBy</c> attributes); all events when null.</summary>
    public string? Selector { get; init; }

    /// <summary>The tenant of the adjustment's SLO.</summary>
    public string Tenant { get; init; } = Tenants.Default;

    /// <summary>The ranges it takes out: [from, to) and, when recurring, the same range every period while its start is before the end.</summary>
    public IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Occurrences()
    {
        if (Recurrence is not { } recurrence)
        {
            yield return (From, To);
            yield break;
        }

        for (var start = From; start < recurrence.Until; start += recurrence.Every)
        {
            yield return (start, start + (To - From));
        }
    }
}

/// <summary>The range repeated every <see cref="Every"/> while its start is before <see cref="Until"/>.</summary>
public sealed record AdjustmentRecurrence(TimeSpan Every, DateTimeOffset Until)
{
    /// <summary>How many ranges a recurring adjustment from <paramref name="from"/> takes out.</summary>
    public long Count(DateTimeOffset from) => Until <= from ? 0 : (long)Math.Ceiling((Until - from) / Every);
}

/// <summary>Budget adjustments (<c>budget_adjustment</c>); deleted ones are kept, marked with who deleted them.</summary>
public sealed class BudgetAdjustmentStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "tenant, id, slo, from_at, to_at, reason, author, created_at, recurrence_every_seconds, recurrence_until, incident_id, selector";

    public async Task<BudgetAdjustment> CreateAsync(BudgetAdjustment adjustment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO budget_adjustment (tenant, slo, from_at, to_at, reason, author, created_at, recurrence_every_seconds, recurrence_until, incident_id, selector)
            VALUES (@Tenant, @Slo, @From, @To, @Reason, @Author, @CreatedAt, @EverySeconds, @Until, @IncidentId, @Selector)
            RETURNING id
            """,
            new
            {
                adjustment.Tenant,
                adjustment.Slo,
                adjustment.From,
                adjustment.To,
                adjustment.Reason,
                adjustment.Author,
                adjustment.CreatedAt,
                EverySeconds = (long?)adjustment.Recurrence?.Every.TotalSeconds,
                adjustment.Recurrence?.Until,
                adjustment.IncidentId,
                adjustment.Selector,
            },
            cancellationToken: cancellationToken));
        return adjustment with { Id = id };
    }

    /// <summary>
    /// The newest adjustment's id and how many are not deleted: changes when any instance adds or deletes one, so that
    /// the others know when to read them again.
    /// </summary>
    public async Task<(long? NewestId, long Active)> VersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long?, long)>(new CommandDefinition(
            "SELECT max(id), count(*) FILTER (WHERE deleted_at IS NULL) FROM budget_adjustment", cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The adjustments of <paramref name="slo"/> in <paramref name="tenant"/> not deleted, by start; every SLO's when
    /// it is null, and every tenant's when <paramref name="tenant"/> is null.
    /// </summary>
    public async Task<IReadOnlyList<BudgetAdjustment>> ListAsync(string? tenant, string? slo, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Tenant, long Id, string Slo, DateTime From, DateTime To, string Reason, string Author, DateTime CreatedAt, long? EverySeconds, DateTime? Until, long? IncidentId, string? Selector)>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM budget_adjustment
            WHERE deleted_at IS NULL AND (@tenant::text IS NULL OR tenant = @tenant) AND (@slo::text IS NULL OR slo = @slo)
            ORDER BY tenant, slo, from_at, id
            """,
            new { tenant, slo },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new BudgetAdjustment(r.Id, r.Slo, Utc(r.From), Utc(r.To), r.Reason, r.Author, Utc(r.CreatedAt))
        {
            Recurrence = r.EverySeconds is { } every && r.Until is { } until ? new AdjustmentRecurrence(TimeSpan.FromSeconds(every), Utc(until)) : null,
            IncidentId = r.IncidentId,
            Selector = r.Selector,
            Tenant = r.Tenant,
        })];
    }

    /// <summary>How many ranges the adjustments of <paramref name="slo"/> not deleted take out (a recurring one counts each occurrence).</summary>
    public async Task<long> CountRangesAsync(string tenant, string slo, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT coalesce(sum(CASE WHEN recurrence_every_seconds IS NULL THEN 1
                                     ELSE ceil(extract(epoch FROM recurrence_until - from_at) / recurrence_every_seconds) END), 0)::bigint
              FROM budget_adjustment WHERE tenant = @tenant AND slo = @slo AND deleted_at IS NULL
            """, new { tenant, slo }, cancellationToken: cancellationToken));
    }

    /// <summary>Marks an adjustment of <paramref name="slo"/> deleted; false when there is no such one.</summary>
    public async Task<bool> DeleteAsync(string tenant, string slo, long id, string deletedBy, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE budget_adjustment SET deleted_at = @now, deleted_by = @deletedBy WHERE id = @id AND tenant = @tenant AND slo = @slo AND deleted_at IS NULL",
            new { tenant, slo, id, deletedBy, now },
            cancellationToken: cancellationToken)) > 0;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
