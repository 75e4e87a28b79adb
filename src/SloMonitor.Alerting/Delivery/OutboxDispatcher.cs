using Microsoft.Extensions.Logging;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// Delivers outbox rows: claims due rows under a lease, sends each with its receiver's timeout, and records the
/// outcome (delivered; retry with backoff on 5xx, 429, timeout and network errors until the deadline; give up on
/// other 4xx). Deliveries run concurrently and are never cancelled by new notifications of the same group.
/// </summary>
internal sealed class OutboxDispatcher(
    OutboxStore store,
    NotificationSender sender,
    Spool.NotificationSpool spool,
    Spool.DatabaseOutage outage,
    AlertingOptions options,
    AlertingMetrics metrics,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger)
{
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(10);
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Claims due rows and starts their delivery; the returned tasks end when each is recorded.</summary>
    public async Task<IReadOnlyList<Task>> StartDueAsync(CancellationToken cancellationToken)
    {
        var free = options.MaxConcurrentDeliveries - InFlight;
        if (free <= 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var items = await store.ClaimDueAsync(now, now + sender.LongestTimeout() + LeaseMargin, free, cancellationToken);
        var tasks = new List<Task>(items.Count);
        foreach (var item in items)
        {
            Interlocked.Increment(ref _inFlight);
            tasks.Add(Task.Run(() => DeliverAsync(item), CancellationToken.None));
        }

        return tasks;
    }

    /// <summary>Delivers everything due now and waits for the outcomes.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var tasks = await StartDueAsync(cancellationToken);
        await Task.WhenAll(tasks);
        return tasks.Count;
    }

    private async Task DeliverAsync(OutboxItem item)
    {
        Spool.SpooledOutboxOutcome? outcome = null;
        try
        {
            var result = await sender.SendAsync(item.Receiver, item.Notification, item.DedupKey);
            var now = time.GetUtcNow();
            var status = item.Notification.Status;
            if (result.Outcome == DeliveryOutcome.Delivered)
            {
                var details = new Dictionary<string, object?>
                {
                    ["receiver"] = item.Receiver,
                    ["status"] = status,
                    ["attempt"] = item.Attempts,
                    ["dedupKey"] = item.DedupKey,
                };
                outcome = new Spool.SpooledOutboxOutcome(item.Id, item.Attempts, item.IncidentIds, true, now, null, null, System.Text.Json.JsonSerializer.SerializeToElement(details));
                metrics.Outcome(item.Notification.Tenant, item.Receiver, "delivered");
                logger.LogInformation("Notification {DedupKey} delivered to {Receiver} (attempt {Attempt})", item.DedupKey, item.Receiver, item.Attempts);
                await store.CompleteAsync(item, now, "notified", details, CancellationToken.None);
                return;
            }

            DateTimeOffset? next = null;
            if (result.Outcome == DeliveryOutcome.Retry)
            {
                var candidate = now + Backoff.Delay(item.Attempts, options.InitialBackoff, options.MaxBackoff, Random.Shared.NextDouble(), result.RetryAfter);
                next = candidate <= item.DeadlineAt ? candidate : null;
            }

            var failed = new Dictionary<string, object?>
            {
                ["receiver"] = item.Receiver,
                ["status"] = status,
                ["attempt"] = item.Attempts,
                ["error"] = result.Error,
                ["willRetry"] = next is not null,
                ["nextAttemptAt"] = next,
                ["dedupKey"] = item.DedupKey,
            };
            outcome = new Spool.SpooledOutboxOutcome(item.Id, item.Attempts, item.IncidentIds, false, now, next, result.Error ?? "unknown error", System.Text.Json.JsonSerializer.SerializeToElement(failed));
            metrics.Outcome(item.Notification.Tenant, item.Receiver, next is null ? "failed" : "retried");
            logger.LogWarning("Notification {DedupKey} to {Receiver} failed (attempt {Attempt}): {Error}; {Next}",
                item.DedupKey, item.Receiver, item.Attempts, result.Error, next is null ? "giving up" : $"retrying at {next:O}");
            await store.FailAsync(item, now, next, result.Error ?? "unknown error", failed, CancellationToken.None);
        }
        catch (Exception ex) when (outcome is not null && outage.Caught(ex))
        {
            // Kept in the spool and recorded, at its own time, before the outbox is read again: a delivered row is not sent twice.
            spool.Add(new Spool.SpooledIncidentWork(outcome.At, null, null, outcome));
        }
        catch (Exception ex)
        {
            // The lease runs out and the row is tried again; nothing is lost.
            logger.LogError(ex, "Recording the outcome of notification {DedupKey} failed", item.DedupKey);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
