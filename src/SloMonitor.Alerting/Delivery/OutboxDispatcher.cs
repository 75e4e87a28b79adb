using Microsoft.Extensions.Logging;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Receivers;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// Delivers outbox rows: claims due rows under a lease, sends each with its receiver's timeout, and records the
/// outcome (delivered; retry with backoff on 5xx, 429, timeout and network errors until the deadline; give up on
/// other 4xx). Deliveries run concurrently and are never cancelled by new notifications of the same group.
/// </summary>
internal sealed class OutboxDispatcher(
    OutboxStore store,
    AlertingConfig config,
    AlertingOptions options,
    IHttpClientFactory httpClients,
    AlertingMetrics metrics,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger)
{
    public const string HttpClientName = "SloMonitor.Alerting";
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
        var items = await store.ClaimDueAsync(now, now + LongestTimeout() + LeaseMargin, free, cancellationToken);
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
        try
        {
            var result = await SendAsync(item);
            var now = time.GetUtcNow();
            var status = item.Notification.Status;
            if (result.Outcome == DeliveryOutcome.Delivered)
            {
                await store.CompleteAsync(item, now, "notified", new Dictionary<string, object?>
                {
                    ["receiver"] = item.Receiver,
                    ["status"] = status,
                    ["attempt"] = item.Attempts,
                    ["dedupKey"] = item.DedupKey,
                }, CancellationToken.None);
                metrics.Outcome(item.Receiver, "delivered");
                logger.LogInformation("Notification {DedupKey} delivered to {Receiver} (attempt {Attempt})", item.DedupKey, item.Receiver, item.Attempts);
                return;
            }

            DateTimeOffset? next = null;
            if (result.Outcome == DeliveryOutcome.Retry)
            {
                var candidate = now + Backoff.Delay(item.Attempts, options.InitialBackoff, options.MaxBackoff, Random.Shared.NextDouble(), result.RetryAfter);
                next = candidate <= item.DeadlineAt ? candidate : null;
            }

            await store.FailAsync(item, now, next, result.Error ?? "unknown error", new Dictionary<string, object?>
            {
                ["receiver"] = item.Receiver,
                ["status"] = status,
                ["attempt"] = item.Attempts,
                ["error"] = result.Error,
                ["willRetry"] = next is not null,
                ["nextAttemptAt"] = next,
                ["dedupKey"] = item.DedupKey,
            }, CancellationToken.None);
            metrics.Outcome(item.Receiver, next is null ? "failed" : "retried");
            logger.LogWarning("Notification {DedupKey} to {Receiver} failed (attempt {Attempt}): {Error}; {Next}",
                item.DedupKey, item.Receiver, item.Attempts, result.Error, next is null ? "giving up" : $"retrying at {next:O}");
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

    private async Task<DeliveryResult> SendAsync(OutboxItem item)
    {
        if (!config.Receivers.TryGetValue(item.Receiver, out var receiver) || receiver.Kind == ReceiverKind.None)
        {
            return new DeliveryResult(DeliveryOutcome.Permanent, $"receiver '{item.Receiver}' is not configured", null);
        }

        var timeout = receiver.Timeout ?? options.DeliveryTimeout;
        using var request = receiver.Kind switch
        {
            ReceiverKind.Webhook => WebhookMessage.Build(receiver, item.Notification, item.DedupKey, options.ExternalUrl),
            ReceiverKind.Slack => SlackMessage.Build(receiver, item.Notification, options.ExternalUrl),
            ReceiverKind.PagerDuty => PagerDutyMessage.Build(receiver, item.Notification, options.ExternalUrl),
            _ => AlertmanagerMessage.Build(receiver, item.Notification, item.DedupKey),
        };
        request.Headers.UserAgent.ParseAdd("SloMonitor");
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            return DeliveryResult.FromResponse(response, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"timed out after {DurationParser.Format(timeout)}", null);
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryOutcome.Retry, $"network error: {ex.HttpRequestError}", null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only the type: a message might quote the URL, which can be a secret.
            return new DeliveryResult(DeliveryOutcome.Retry, $"error: {ex.GetType().Name}", null);
        }
    }

    private TimeSpan LongestTimeout()
    {
        var longest = options.DeliveryTimeout;
        foreach (var receiver in config.Receivers.Values)
        {
            if (receiver.Timeout is { } t && t > longest)
            {
                longest = t;
            }
        }

        return longest;
    }
}
