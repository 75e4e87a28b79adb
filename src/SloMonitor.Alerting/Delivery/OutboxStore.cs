using System.Data.Common;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace SloMonitor.Alerting.Delivery;

/// <summary>A notification waiting for (or done with) delivery to one receiver.</summary>
internal sealed record OutboxItem(long Id, string DedupKey, string Receiver, Notification Notification, long[] IncidentIds, int Attempts, DateTimeOffset DeadlineAt);

/// <summary>
/// The transactional outbox: rows are written in the same transaction as the notification decision, claimed
/// with a lease (so a crashed delivery is retried once the lease ends) and completed with a compare on the
/// attempt number (so only the holder of the lease completes it).
/// </summary>
internal sealed class OutboxStore(NpgsqlDataSource dataSource)
{
    public static Task EnqueueAsync(DbConnection connection, DbTransaction transaction, string dedupKey, Notification notification, long[] incidentIds, DateTimeOffset now, DateTimeOffset deadline) =>
        connection.ExecuteAsync("""
            INSERT INTO notification_outbox (tenant, dedup_key, receiver, group_key, payload, incident_ids, state, created_at, next_attempt_at, deadline_at)
            VALUES (@tenant, @dedupKey, @receiver, @groupKey, @payload::jsonb, @incidentIds, 'pending', @now, @now, @deadline)
            ON CONFLICT (dedup_key) DO NOTHING
            """,
            new
            {
                tenant = notification.Tenant,
                dedupKey,
                receiver = notification.Receiver,
                groupKey = notification.GroupKey,
                payload = JsonSerializer.Serialize(notification),
                incidentIds,
                now = Db.Utc(now),
                deadline = Db.Utc(deadline),
            },
            transaction);

    /// <summary>Claims up to <paramref name="limit"/> due rows, leasing each until <paramref name="leaseUntil"/>.</summary>
    public async Task<IReadOnlyList<OutboxItem>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            UPDATE notification_outbox o
               SET next_attempt_at = @leaseUntil, attempts = o.attempts + 1
             WHERE o.id IN (SELECT id FROM notification_outbox
                             WHERE state = 'pending' AND next_attempt_at <= @now
                             ORDER BY next_attempt_at, id
                             LIMIT @limit
                             FOR UPDATE SKIP LOCKED)
            RETURNING o.id AS Id, o.dedup_key AS DedupKey, o.receiver AS Receiver, o.payload::text AS Payload,
                      o.incident_ids AS IncidentIds, o.attempts AS Attempts, o.deadline_at AS DeadlineAt
            """, new { now = Db.Utc(now), leaseUntil = Db.Utc(leaseUntil), limit }, cancellationToken: cancellationToken));
        return rows
            .OrderBy(r => r.Id)
            .Select(r => new OutboxItem(r.Id, r.DedupKey, r.Receiver, JsonSerializer.Deserialize<Notification>(r.Payload)!, r.IncidentIds, r.Attempts, Db.Offset(r.DeadlineAt)))
            .ToList();
    }

    private const string CompleteSql = """
        UPDATE notification_outbox SET state = 'delivered', delivered_at = @now, last_error = NULL
         WHERE id = @id AND attempts = @attempts AND state = 'pending'
        """;

    private const string FailSql = """
        UPDATE notification_outbox
           SET state = CASE WHEN @next::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
               next_attempt_at = COALESCE(@next::timestamptz, next_attempt_at), last_error = @error
         WHERE id = @id AND attempts = @attempts AND state = 'pending'
        """;

    /// <summary>Marks the row delivered and appends a timeline row to each incident, in one transaction.</summary>
    public Task<bool> CompleteAsync(OutboxItem item, DateTimeOffset now, string timelineKind, object details, CancellationToken cancellationToken) =>
        UpdateAsync(item.Id, item.Attempts, item.IncidentIds, CompleteSql, new { now = Db.Utc(now), id = item.Id, attempts = item.Attempts }, now, timelineKind, details, cancellationToken);

    /// <summary>Schedules the next attempt, or gives up when <paramref name="nextAttempt"/> is null.</summary>
    public Task<bool> FailAsync(OutboxItem item, DateTimeOffset now, DateTimeOffset? nextAttempt, string error, object details, CancellationToken cancellationToken) =>
        UpdateAsync(item.Id, item.Attempts, item.IncidentIds, FailSql, new { next = Db.Utc(nextAttempt), error, id = item.Id, attempts = item.Attempts }, now, "notify_failed", details, cancellationToken);

    /// <summary>
    /// Records, in the caller's transaction, an attempt's outcome that could not be recorded when it happened (the
    /// database was away), at its own time; false when the row has moved on (another holder of the lease).
    /// </summary>
    public static async Task<bool> RecordLateAsync(DbConnection connection, DbTransaction transaction, Spool.SpooledOutboxOutcome outcome)
    {
        var changed = outcome.Delivered
            ? await connection.ExecuteAsync(CompleteSql, new { now = Db.Utc(outcome.At), id = outcome.Id, attempts = outcome.Attempts }, transaction)
            : await connection.ExecuteAsync(FailSql, new { next = Db.Utc(outcome.NextAttemptAt), error = outcome.Error, id = outcome.Id, attempts = outcome.Attempts }, transaction);
        if (changed > 0 && outcome.IncidentIds.Length > 0)
        {
            await Incidents.IncidentStore.AppendAsync(connection, transaction, outcome.IncidentIds, outcome.Delivered ? "notified" : "notify_failed",
                Incidents.IncidentStore.SystemActor, outcome.Details, outcome.At);
        }

        return changed > 0;
    }

    /// <summary>The notifications not yet delivered or given up, and when the oldest of them was decided (null: none).</summary>
    public async Task<(long Count, DateTimeOffset? OldestCreatedAt)> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(long Count, DateTime? Oldest)>(new CommandDefinition(
            "SELECT count(*), min(created_at) FROM notification_outbox WHERE state = 'pending'", cancellationToken: cancellationToken));
        return (row.Count, row.Oldest is { } oldest ? new DateTimeOffset(DateTime.SpecifyKind(oldest, DateTimeKind.Utc)) : null);
    }

    /// <summary>
    /// Forgets delivered and given-up rows, and notification-log entries that record nothing firing, older than
    /// <paramref name="before"/> (the incident timeline keeps the outcomes). Returns the rows removed.
    /// </summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM notification_outbox WHERE state <> 'pending' AND created_at < @before",
            new { before = Db.Utc(before) }, cancellationToken: cancellationToken));
        removed += await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM notification_log WHERE cardinality(firing) = 0 AND notified_at < @before",
            new { before = Db.Utc(before) }, cancellationToken: cancellationToken));
        return removed;
    }

    private async Task<bool> UpdateAsync(long id, int attempts, long[] incidentIds, string sql, object parameters, DateTimeOffset now, string timelineKind, object details, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return false;
        }

        if (incidentIds.Length > 0)
        {
            await Incidents.IncidentStore.AppendAsync(connection, transaction, incidentIds, timelineKind, Incidents.IncidentStore.SystemActor, details, now);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private sealed class Row
    {
        public long Id { get; set; }

        public string DedupKey { get; set; } = string.Empty;

        public string Receiver { get; set; } = string.Empty;

        public string Payload { get; set; } = "{}";

        public long[] IncidentIds { get; set; } = [];

        public int Attempts { get; set; }

        public DateTime DeadlineAt { get; set; }
    }
}
