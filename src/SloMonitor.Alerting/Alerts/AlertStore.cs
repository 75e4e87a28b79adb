using System.Data.Common;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace SloMonitor.Alerting.Alerts;

/// <summary>The latest state of every alert, so groups and pending resolves are rebuilt after a restart.</summary>
internal sealed class AlertStore(NpgsqlDataSource dataSource)
{
    public static Task UpsertAsync(DbConnection connection, DbTransaction transaction, Alert alert, DateTimeOffset now) =>
        connection.ExecuteAsync("""
            INSERT INTO alert (tenant, fingerprint, labels, annotations, starts_at, ends_at, generator_url, updated_at)
            VALUES (@Tenant, @Fingerprint, @Labels::jsonb, @Annotations::jsonb, @StartsAt, @EndsAt, @GeneratorUrl, @Now)
            ON CONFLICT (tenant, fingerprint) DO UPDATE
               SET labels = EXCLUDED.labels, annotations = EXCLUDED.annotations, starts_at = EXCLUDED.starts_at,
                   ends_at = EXCLUDED.ends_at, generator_url = EXCLUDED.generator_url, updated_at = EXCLUDED.updated_at
            """,
            new
            {
                alert.Tenant,
                alert.Fingerprint,
                Labels = JsonSerializer.Serialize(alert.Labels),
                Annotations = JsonSerializer.Serialize(alert.Annotations),
                StartsAt = Db.Utc(alert.StartsAt),
                EndsAt = Db.Utc(alert.EndsAt),
                alert.GeneratorUrl,
                Now = Db.Utc(now),
            },
            transaction);

    /// <summary>
    /// Alerts still firing, plus resolved alerts some receiver was last told are firing (their resolve is still
    /// owed), each with the reason it was last muted for.
    /// </summary>
    public async Task<IReadOnlyList<(Alert Alert, string? MutedBy)>> LoadForRecoveryAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT tenant AS Tenant, fingerprint AS Fingerprint, labels::text AS Labels, annotations::text AS Annotations, starts_at AS StartsAt,
                   ends_at AS EndsAt, generator_url AS GeneratorUrl, muted_by AS MutedBy, updated_at AS UpdatedAt
              FROM alert a
             WHERE a.ends_at IS NULL OR a.ends_at > @now
                OR EXISTS (SELECT 1 FROM notification_log n WHERE n.tenant = a.tenant AND a.fingerprint = ANY(n.firing))
            """, new { now = Db.Utc(now) }, cancellationToken: cancellationToken));
        return rows.Select(r => (r.ToAlert(), r.MutedBy)).ToList();
    }

    /// <summary>Every alert of <paramref name="tenant"/> still firing at <paramref name="now"/> (no end, or an end ahead), from every source.</summary>
    public async Task<IReadOnlyList<Alert>> ListFiringAsync(string tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT tenant AS Tenant, fingerprint AS Fingerprint, labels::text AS Labels, annotations::text AS Annotations, starts_at AS StartsAt,
                   ends_at AS EndsAt, generator_url AS GeneratorUrl, updated_at AS UpdatedAt
              FROM alert
             WHERE tenant = @tenant AND (ends_at IS NULL OR ends_at > @now)
            """, new { tenant, now = Db.Utc(now) }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToAlert()).ToList();
    }

    public static Task SetMutedAsync(DbConnection connection, DbTransaction transaction, string tenant, string fingerprint, string? mutedBy) =>
        connection.ExecuteAsync("UPDATE alert SET muted_by = @mutedBy WHERE tenant = @tenant AND fingerprint = @fingerprint", new { tenant, fingerprint, mutedBy }, transaction);

    private sealed class Row
    {
        public string Tenant { get; set; } = Storage.Tenants.Default;

        public string Fingerprint { get; set; } = string.Empty;

        public string Labels { get; set; } = "{}";

        public string Annotations { get; set; } = "{}";

        public DateTime StartsAt { get; set; }

        public DateTime? EndsAt { get; set; }

        public string? GeneratorUrl { get; set; }

        public string? MutedBy { get; set; }

        public DateTime UpdatedAt { get; set; }

        public Alert ToAlert() =>
            new(Fingerprint, Json.ReadMap(Labels), Json.ReadMap(Annotations), Db.Offset(StartsAt), Db.Offset(EndsAt), GeneratorUrl) { Tenant = Tenant, UpdatedAt = Db.Offset(UpdatedAt) };
    }
}
