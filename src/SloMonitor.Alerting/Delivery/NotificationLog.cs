using System.Data.Common;
using Dapper;

namespace SloMonitor.Alerting.Delivery;

/// <summary>What a receiver was last told about a group (Alertmanager's notification log), kept in PostgreSQL.</summary>
internal sealed record NotificationLogEntry(IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved, DateTimeOffset NotifiedAt, long Sequence);

internal static class NotificationLog
{
    /// <summary>
    /// Reads the entry inside <paramref name="transaction"/> after taking a transaction-scoped advisory lock on
    /// (receiver, group), so two instances deciding about the same group take turns and the second sees the
    /// first one's notification instead of sending it again.
    /// </summary>
    public static async Task<NotificationLogEntry?> LockAndGetAsync(DbConnection connection, DbTransaction transaction, string tenant, string receiver, string groupKey)
    {
        // A non-default tenant's group key starts with the tenant, so the lock key of the default tenant's is unchanged.
        await connection.ExecuteAsync(
            "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = receiver + "\n" + groupKey }, transaction);
        var row = await connection.QuerySingleOrDefaultAsync<Row>("""
            SELECT firing AS Firing, resolved AS Resolved, notified_at AS NotifiedAt, sequence AS Sequence
              FROM notification_log WHERE tenant = @tenant AND receiver = @receiver AND group_key = @groupKey
            """, new { tenant, receiver, groupKey }, transaction);
        return row is null
            ? null
            : new NotificationLogEntry(row.Firing.ToHashSet(StringComparer.Ordinal), row.Resolved.ToHashSet(StringComparer.Ordinal), Db.Offset(row.NotifiedAt), row.Sequence);
    }

    /// <summary>Records a notification decision; returns its sequence number within the group.</summary>
    public static Task<long> RecordAsync(DbConnection connection, DbTransaction transaction, string tenant, string receiver, string groupKey, string[] firing, string[] resolved, DateTimeOffset now) =>
        connection.ExecuteScalarAsync<long>("""
            INSERT INTO notification_log (tenant, receiver, group_key, firing, resolved, notified_at, sequence)
            VALUES (@tenant, @receiver, @groupKey, @firing, @resolved, @now, 1)
            ON CONFLICT (tenant, receiver, group_key) DO UPDATE
               SET firing = EXCLUDED.firing, resolved = EXCLUDED.resolved, notified_at = EXCLUDED.notified_at,
                   sequence = notification_log.sequence + 1
            RETURNING sequence
            """, new { tenant, receiver, groupKey, firing, resolved, now = Db.Utc(now) }, transaction);

    /// <summary>Every entry, for deciding while the database is away.</summary>
    public static async Task<IReadOnlyList<((string Receiver, string GroupKey) Key, NotificationLogEntry Entry)>> ListAsync(Npgsql.NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT receiver AS Receiver, group_key AS GroupKey, firing AS Firing, resolved AS Resolved, notified_at AS NotifiedAt, sequence AS Sequence
              FROM notification_log
            """, cancellationToken: cancellationToken));
        return rows.Select(r => ((r.Receiver, r.GroupKey), new NotificationLogEntry(
            r.Firing.ToHashSet(StringComparer.Ordinal), r.Resolved.ToHashSet(StringComparer.Ordinal), Db.Offset(r.NotifiedAt), r.Sequence))).ToList();
    }

    /// <summary>
    /// Records a decision taken while the database was away, at its own time: it replaces the entry only when it is
    /// newer than what the entry holds. Returns the entry's sequence number.
    /// </summary>
    public static Task<long> RecordSpooledAsync(DbConnection connection, DbTransaction transaction, string tenant, string receiver, string groupKey, string[] firing, string[] resolved, DateTimeOffset at) =>
        connection.ExecuteScalarAsync<long>("""
            INSERT INTO notification_log AS n (tenant, receiver, group_key, firing, resolved, notified_at, sequence)
            VALUES (@tenant, @receiver, @groupKey, @firing, @resolved, @at, 1)
            ON CONFLICT (tenant, receiver, group_key) DO UPDATE
               SET firing = EXCLUDED.firing, resolved = EXCLUDED.resolved, notified_at = EXCLUDED.notified_at,
                   sequence = n.sequence + 1
             WHERE n.notified_at < EXCLUDED.notified_at
            RETURNING sequence
            """, new { tenant, receiver, groupKey, firing, resolved, at = Db.Utc(at) }, transaction);

    private sealed class Row
    {
        public string Receiver { get; set; } = string.Empty;

        public string GroupKey { get; set; } = string.Empty;

        public string[] Firing { get; set; } = [];

        public string[] Resolved { get; set; } = [];

        public DateTime NotifiedAt { get; set; }

        public long Sequence { get; set; }
    }
}
