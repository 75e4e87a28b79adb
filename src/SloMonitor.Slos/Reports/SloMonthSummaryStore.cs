using Dapper;
using Npgsql;

namespace SloMonitor.Slos.Reports;

/// <summary>One SLO's figures for one UTC calendar month, as its report row said when it was written.</summary>
public sealed record SloMonthSummary(
    string Slo,
    DateTimeOffset Month,
    string Service,
    string? Team,
    double Objective,
    string Unit,
    long TotalEvents,
    long BadEvents,
    int Adjustments,
    double AdjustedSeconds,
    DateTimeOffset DataFrom,
    DateTimeOffset To,
    bool Complete);

/// <summary>
/// Monthly report rows (<c>slo_month_summary</c>): kept so that a month's report outlives the in-memory series. A row
/// that covered its whole month is never replaced by one that did not (after a restart with less data, say).
/// </summary>
public sealed class SloMonthSummaryStore(NpgsqlDataSource dataSource)
{
    public async Task SaveAsync(string tenant, IReadOnlyList<SloMonthSummary> rows, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO slo_month_summary AS s (tenant, slo, month, service, team, objective, unit, total_events, bad_events,
                                                adjustments, adjusted_seconds, data_from, to_at, complete, updated_at)
            VALUES (@tenant, @Slo, @Day, @Service, @Team, @Objective, @Unit, @TotalEvents, @BadEvents,
                    @Adjustments, @AdjustedSeconds, @DataFrom, @To, @Complete, @now)
            ON CONFLICT (tenant, month, slo) DO UPDATE SET
                service = EXCLUDED.service, team = EXCLUDED.team, objective = EXCLUDED.objective, unit = EXCLUDED.unit,
                total_events = EXCLUDED.total_events, bad_events = EXCLUDED.bad_events, adjustments = EXCLUDED.adjustments,
                adjusted_seconds = EXCLUDED.adjusted_seconds, data_from = EXCLUDED.data_from, to_at = EXCLUDED.to_at,
                complete = EXCLUDED.complete, updated_at = EXCLUDED.updated_at
            WHERE EXCLUDED.complete OR NOT s.complete
            """,
            rows.Select(r => new
            {
                r.Slo, Day = DateOnly.FromDateTime(r.Month.UtcDateTime), r.Service, r.Team, r.Objective, r.Unit, r.TotalEvents, r.BadEvents,
                r.Adjustments, r.AdjustedSeconds, r.DataFrom, r.To, r.Complete, now, tenant,
            }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The rows of <paramref name="tenant"/>'s months starting in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<IReadOnlyList<SloMonthSummary>> ReadAsync(string tenant, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT slo, month::timestamp AS Month, service, team, objective, unit, total_events AS TotalEvents, bad_events AS BadEvents, adjustments,
                   adjusted_seconds AS AdjustedSeconds, data_from AS DataFrom, to_at AS ToAt, complete
              FROM slo_month_summary
             WHERE tenant = @tenant AND month >= @from AND month < @to
             ORDER BY month, slo
            """,
            new { tenant, from = DateOnly.FromDateTime(from.UtcDateTime), to = DateOnly.FromDateTime(to.UtcDateTime) },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new SloMonthSummary(
            r.Slo, Utc(r.Month), r.Service, r.Team, r.Objective, r.Unit, r.TotalEvents, r.BadEvents, r.Adjustments, r.AdjustedSeconds,
            Utc(r.DataFrom), Utc(r.ToAt), r.Complete))];
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed record Row(string Slo, DateTime Month, string Service, string? Team, double Objective, string Unit, long TotalEvents,
        long BadEvents, int Adjustments, double AdjustedSeconds, DateTime DataFrom, DateTime ToAt, bool Complete);
}
