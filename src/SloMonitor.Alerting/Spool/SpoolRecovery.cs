using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Spool;

/// <summary>
/// Moves the local spool into PostgreSQL once it answers: first the incident changes, in the order they happened and
/// each at its own time (alerts upserted, incidents opened, joined, left or resolved, mute entries), one transaction
/// each; then every decision: its notification-log entry, its messages as outbox rows under their dedup keys
/// (delivered, given up or still pending as the spool has them, so nothing delivered is sent again) and the
/// timeline entries of the attempts made meanwhile. The spool forgets each part once its transaction committed;
/// a message still being delivered from the spool moves at a later tick.
/// </summary>
internal sealed class SpoolRecovery(NpgsqlDataSource dataSource, NotificationSpool spool, Dispatcher dispatcher, TimeProvider time, ILogger<SpoolRecovery> logger)
{
    /// <summary>Moves what it can; throws when the database is unavailable again (nothing of the failed part is forgotten).</summary>
    public async Task MoveAsync(CancellationToken cancellationToken)
    {
        if (spool.IsEmpty)
        {
            return;
        }

        await dispatcher.Gate.WaitAsync(cancellationToken);
        try
        {
            var work = spool.IncidentWork;
            var latest = LatestAlerts(work);
            for (var i = 0; i < work.Count; i++)
            {
                await WriteAsync(work[i], latest, cancellationToken);
                spool.RemoveIncidentWork(1);
            }

            if (work.Count > 0)
            {
                logger.LogInformation("Wrote {Count} incident changes from the local spool with the times they happened", work.Count);
            }

            var moved = new List<SpooledDecision>();
            foreach (var decision in spool.Decisions)
            {
                if (decision.Messages.Any(m => m.InFlight))
                {
                    continue;
                }

                await MoveAsync(decision, cancellationToken);
                moved.Add(decision);
                dispatcher.Notified(decision.Receiver, decision.GroupKey, new NotificationLogEntry(
                    decision.Firing.ToHashSet(StringComparer.Ordinal), decision.Resolved.ToHashSet(StringComparer.Ordinal), decision.DecidedAt, decision.Sequence));
            }

            if (moved.Count > 0)
            {
                spool.Remove(moved);
                logger.LogInformation("Moved {Count} spooled notification decisions into the outbox ({Messages} messages)", moved.Count, moved.Sum(d => d.Messages.Count));
            }
        }
        finally
        {
            dispatcher.Gate.Release();
            spool.Publish();
        }
    }

    /// <summary>The newest version of every alert known, from memory and from the spooled changes.</summary>
    private Dictionary<string, Alert> LatestAlerts(IReadOnlyList<SpooledIncidentWork> work)
    {
        var latest = new Dictionary<string, Alert>(dispatcher.Alerts, StringComparer.Ordinal);
        foreach (var alert in work.SelectMany(w => w.Alerts ?? []))
        {
            if (!latest.TryGetValue(alert.Fingerprint, out var known) || known.UpdatedAt <= alert.UpdatedAt)
            {
                latest[alert.Fingerprint] = alert;
            }
        }

        return latest;
    }

    private async Task WriteAsync(SpooledIncidentWork work, Dictionary<string, Alert> latest, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (work.Mute is { } mute)
        {
            await Dispatcher.WriteMuteAsync(connection, transaction, mute, work.At);
        }
        else if (work.Outcome is { } outcome)
        {
            await OutboxStore.RecordLateAsync(connection, transaction, outcome);
        }
        else if (work.Alerts is { Count: > 0 } alerts)
        {
            foreach (var alert in alerts)
            {
                await AlertStore.UpsertAsync(connection, transaction, alert, work.At);
            }

            // What fired at that moment: the alerts that had started by then and had not ended.
            var firing = latest.Values.Where(a => a.StartsAt <= work.At && !a.IsResolvedAt(work.At)).ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
            foreach (var alert in alerts)
            {
                if (alert.IsResolvedAt(work.At))
                {
                    firing.Remove(alert.Fingerprint);
                }
                else
                {
                    firing[alert.Fingerprint] = alert;
                }
            }

            var placer = new IncidentPlacer(connection, transaction, firing, dispatcher.Mutes.Index(firing.Values, work.At), dispatcher.ReceiversFor, work.At);
            await placer.ApplyAsync(alerts);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task MoveAsync(SpooledDecision decision, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await NotificationLog.RecordSpooledAsync(connection, transaction, decision.Tenant, decision.Receiver, decision.GroupKey, decision.Firing, decision.Resolved, decision.DecidedAt);
        var now = time.GetUtcNow();
        foreach (var message in decision.Messages)
        {
            var ids = await IncidentStore.LatestIdsAsync(connection, transaction, message.Notification.Tenant, message.Notification.Alerts.Select(a => a.Fingerprint).ToArray());
            var inserted = await InsertAsync(connection, transaction, message, ids, now);
            if (!inserted || ids.Length == 0)
            {
                continue;
            }

            foreach (var attempt in message.History)
            {
                var delivered = attempt.Outcome == "delivered";
                var details = new Dictionary<string, object?>
                {
                    ["receiver"] = message.Notification.Receiver,
                    ["status"] = message.Notification.Status,
                    ["attempt"] = attempt.Attempt,
                    ["dedupKey"] = message.DedupKey,
                    ["spooled"] = true,
                };
                if (!delivered)
                {
                    details["error"] = attempt.Error;
                    details["willRetry"] = attempt.NextAttemptAt is not null;
                    details["nextAttemptAt"] = attempt.NextAttemptAt;
                }

                await IncidentStore.AppendAsync(connection, transaction, ids, delivered ? "notified" : "notify_failed", IncidentStore.SystemActor, details, attempt.At);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The message as an outbox row in the state the spool has it; false when its dedup key is there already.</summary>
    private static async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, SpooledMessage message, long[] incidentIds, DateTimeOffset now)
    {
        var id = await connection.ExecuteScalarAsync<long?>("""
            INSERT INTO notification_outbox (tenant, dedup_key, receiver, group_key, payload, incident_ids, state, attempts, created_at,
                                             next_attempt_at, deadline_at, delivered_at, last_error)
            VALUES (@tenant, @dedupKey, @receiver, @groupKey, @payload::jsonb, @incidentIds, @state, @attempts, @createdAt,
                    @next, @deadline, @deliveredAt, @lastError)
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id
            """,
            new
            {
                tenant = message.Notification.Tenant,
                dedupKey = message.DedupKey,
                receiver = message.Notification.Receiver,
                groupKey = message.Notification.GroupKey,
                payload = JsonSerializer.Serialize(message.Notification),
                incidentIds,
                state = message.State,
                attempts = message.Attempts,
                createdAt = Db.Utc(message.Notification.CreatedAt),
                next = Db.Utc(message.NextAttemptAt > now ? message.NextAttemptAt : now),
                deadline = Db.Utc(message.DeadlineAt),
                deliveredAt = Db.Utc(message.DeliveredAt),
                lastError = message.LastError,
            },
            transaction);
        return id is not null;
    }
}
