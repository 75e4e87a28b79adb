using Microsoft.Extensions.Logging;
using SloMonitor.Alerting.Delivery;

namespace SloMonitor.Alerting.Spool;

/// <summary>
/// Delivers the messages of the local spool as the outbox dispatcher delivers outbox rows: with the receiver's
/// timeout, retried with backoff on 5xx, 429, timeouts and network errors until the deadline, given up on other
/// 4xx. Each outcome is fsynced to the spool before the next attempt, so a message delivered from the spool is
/// recorded as delivered, not sent again, when it moves into the outbox or after a restart.
/// </summary>
internal sealed class SpoolDispatcher(
    NotificationSpool spool,
    NotificationSender sender,
    AlertingOptions options,
    AlertingMetrics metrics,
    TimeProvider time,
    ILogger<SpoolDispatcher> logger)
{
    private int _inFlight;

    /// <summary>Starts the deliveries due now; the returned tasks end when each outcome is recorded.</summary>
    public IReadOnlyList<Task> StartDue()
    {
        var free = options.MaxConcurrentDeliveries - Volatile.Read(ref _inFlight);
        if (free <= 0)
        {
            return [];
        }

        var due = spool.TakeDue(time.GetUtcNow(), free);
        var tasks = new List<Task>(due.Count);
        foreach (var message in due)
        {
            Interlocked.Increment(ref _inFlight);
            tasks.Add(Task.Run(() => DeliverAsync(message), CancellationToken.None));
        }

        return tasks;
    }

    private async Task DeliverAsync(SpooledMessage message)
    {
        var receiver = message.Notification.Receiver;
        try
        {
            var result = await sender.SendAsync(receiver, message.Notification, message.DedupKey);
            var now = time.GetUtcNow();
            if (result.Outcome == DeliveryOutcome.Delivered)
            {
                spool.Record(message, new SpooledAttempt(message.DedupKey, now, message.Attempts, "delivered", null, null));
                metrics.Outcome(message.Notification.Tenant, receiver, "delivered");
                logger.LogInformation("Notification {DedupKey} delivered to {Receiver} from the local spool (attempt {Attempt})", message.DedupKey, receiver, message.Attempts);
                return;
            }

            DateTimeOffset? next = null;
            if (result.Outcome == DeliveryOutcome.Retry)
            {
                var candidate = now + Backoff.Delay(message.Attempts, options.InitialBackoff, options.MaxBackoff, Random.Shared.NextDouble(), result.RetryAfter);
                next = candidate <= message.DeadlineAt ? candidate : null;
            }

            spool.Record(message, new SpooledAttempt(message.DedupKey, now, message.Attempts, next is null ? "failed" : "retried", result.Error ?? "unknown error", next));
            metrics.Outcome(message.Notification.Tenant, receiver, next is null ? "failed" : "retried");
            logger.LogWarning("Notification {DedupKey} to {Receiver} from the local spool failed (attempt {Attempt}): {Error}; {Next}",
                message.DedupKey, receiver, message.Attempts, result.Error, next is null ? "giving up" : $"retrying at {next:O}");
        }
        catch (Exception ex)
        {
            // Recorded as a retry a moment later: the message stays in the spool.
            spool.Record(message, new SpooledAttempt(message.DedupKey, time.GetUtcNow(), message.Attempts, "retried", $"error: {ex.GetType().Name}", time.GetUtcNow() + options.InitialBackoff));
            logger.LogError(ex, "Delivering notification {DedupKey} from the local spool failed", message.DedupKey);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
