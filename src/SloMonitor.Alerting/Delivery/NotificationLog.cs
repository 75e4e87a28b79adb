using System.Data.Common;
using Dapper;

namespace SloMonitor.Alerting.Delivery;

/// <summary>What a receiver was last told about a group (Alertmanager's notification log), kept in PostgreSQL.</summary>
internal sealed record NotificationLogEntry(IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved, DateTimeOffset NotifiedAt, long Sequence);

internal static class NotificationLog
{
    public static async Task<NotificationLogEntry?> GetAsync(DbConnection connection, string receiver, string groupKey)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>("""
            SELECT firing AS Firing, resolved AS Resolved, notified_at AS NotifiedAt, sequence AS Sequence
              FROM notification_log WHERE receiver = @receiver AND group_key = @groupKey
            """, new { receiver, groupKey });
        return row is null
            ? null
            : new NotificationLogEntry(row.Firing.ToHashSet(StringComparer.Ordinal), row.Resolved.ToHashSet(StringComparer.Ordinal), Db.Offset(row.NotifiedAt), row.Sequence);
    }

    /// <summary>Records a notification decision; returns its sequence number within the group.</summary>
    public static Task<long> RecordAsync(DbConnection connection, DbTransaction transaction, string receiver, string groupKey, string[] firing, string[] resolved, DateTimeOffset now) =>
        connection.ExecuteScalarAsync<long>("""
            INSERT INTO notification_log (receiver, group_key, firing, resolved, notified_at, sequence)
            VALUES (@receiver, @groupKey, @firing, @resolved, @now, 1)
            ON CONFLICT (receiver, group_key) DO UPDATE
               SET firing = EXCLUDED.firing, resolved = EXCLUDED.resolved, notified_at = EXCLUDED.notified_at,
                   sequence = notification_log.sequence + 1
            RETURNING sequence
            """, new { receiver, groupKey, firing, resolved, now = Db.Utc(now) }, transaction);

    private sealed class Row
    {
        public string[] Firing { get; set; } = [];

        public string[] Resolved { get; set; } = [];

        public DateTime NotifiedAt { get; set; }

        public long Sequence { get; set; }
    }
}
