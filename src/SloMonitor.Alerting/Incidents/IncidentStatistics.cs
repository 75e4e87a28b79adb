using Dapper;
using Npgsql;

namespace SloMonitor.Alerting.Incidents;

/// <summary>
/// The incidents of one SLO opened in a range, with their times to acknowledge and to resolve (median and worst, in
/// seconds; null when none was acknowledged or resolved), and the alerts that started in the range and became or
/// joined an incident.
/// </summary>
public sealed record SloIncidentSummary(
    string Slo,
    int Incidents,
    int Alerts,
    double? AcknowledgeMedianSeconds,
    double? AcknowledgeWorstSeconds,
    double? ResolveMedianSeconds,
    double? ResolveWorstSeconds);

/// <summary>Incident figures per SLO of one tenant for reports, read from the incident tables in one query.</summary>
public sealed class IncidentStatistics(NpgsqlDataSource dataSource)
{
    public Task<IReadOnlyDictionary<string, SloIncidentSummary>> PerSloAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        PerSloAsync(Storage.Tenants.Default, from, to, cancellationToken);

    public async Task<IReadOnlyDictionary<string, SloIncidentSummary>> PerSloAsync(string tenant, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SloIncidentSummary>(new CommandDefinition("""
            WITH opened AS (
                SELECT slo,
                       extract(epoch FROM acknowledged_at - opened_at)::float8 AS to_ack,
                       extract(epoch FROM resolved_at - opened_at)::float8 AS to_resolve
                  FROM incident
                 WHERE tenant = @tenant AND slo IS NOT NULL AND opened_at >= @from AND opened_at < @to
            ), incidents AS (
                SELECT slo,
                       count(*)::int AS incidents,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_ack) AS ack_median,
                       max(to_ack) AS ack_worst,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_resolve) AS resolve_median,
                       max(to_resolve) AS resolve_worst
                  FROM opened GROUP BY slo
            ), alerts AS (
                SELECT i.slo, count(DISTINCT (a.fingerprint, a.alert_starts_at))::int AS alerts
                  FROM incident_alert a JOIN incident i ON i.id = a.incident_id
                 WHERE i.tenant = @tenant AND i.slo IS NOT NULL AND a.alert_starts_at >= @from AND a.alert_starts_at < @to
                 GROUP BY i.slo
            )
            SELECT coalesce(n.slo, a.slo) AS Slo, coalesce(n.incidents, 0) AS Incidents, coalesce(a.alerts, 0) AS Alerts,
                   n.ack_median AS AcknowledgeMedianSeconds, n.ack_worst AS AcknowledgeWorstSeconds,
                   n.resolve_median AS ResolveMedianSeconds, n.resolve_worst AS ResolveWorstSeconds
              FROM incidents n FULL JOIN alerts a ON a.slo = n.slo
            """, new { tenant, from, to }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Slo, StringComparer.Ordinal);
    }
}
