using System.Diagnostics;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Receivers;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// Sends one message to its receiver in the receiver's format, under its timeout, and classifies the answer; used
/// for outbox rows and for messages of the local spool alike.
/// </summary>
internal sealed class NotificationSender(AlertingConfig config, AlertingOptions options, IHttpClientFactory httpClients, TimeProvider time)
{
    public const string HttpClientName = "SloMonitor.Alerting";

    /// <summary>Sends to <paramref name="receiverName"/> of the notification's tenant's routing.</summary>
    public async Task<DeliveryResult> SendAsync(string receiverName, Notification notification, string dedupKey)
    {
        using var activity = AlertingTelemetry.Source.StartActivity("alert.notification");
        activity?.SetTag("slomonitor.receiver", receiverName);
        var result = await SendOnceAsync(receiverName, notification, dedupKey, activity);
        if (activity is not null)
        {
            activity.SetTag("slomonitor.delivery.outcome", result.Outcome.ToString().ToLowerInvariant());
            if (result.Outcome != DeliveryOutcome.Delivered)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }

        return result;
    }

    private async Task<DeliveryResult> SendOnceAsync(string receiverName, Notification notification, string dedupKey, Activity? activity)
    {
        if (!config.For(notification.Tenant).Receivers.TryGetValue(receiverName, out var receiver) || receiver.Kind == ReceiverKind.None)
        {
            return new DeliveryResult(DeliveryOutcome.Permanent, $"receiver '{receiverName}' is not configured", null);
        }

        activity?.SetTag("slomonitor.receiver.kind", receiver.Kind.ToString().ToLowerInvariant());
        var timeout = receiver.Timeout ?? options.DeliveryTimeout;
        using var request = receiver.Kind switch
        {
            ReceiverKind.Webhook => WebhookMessage.Build(receiver, notification, dedupKey, options.ExternalUrl),
            ReceiverKind.Slack => SlackMessage.Build(receiver, notification, options.ExternalUrl),
            ReceiverKind.PagerDuty => PagerDutyMessage.Build(receiver, notification, options.ExternalUrl),
            _ => AlertmanagerMessage.Build(receiver, notification, dedupKey),
        };
        request.Headers.UserAgent.ParseAdd("SloMonitor");
        if (receiver.Token is { } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        // A multi-tenant Alertmanager (Mimir's, Cortex's) keeps tenants apart by this header, as its own senders set it.
        if (receiver.Kind == ReceiverKind.Alertmanager && notification.Tenant != Storage.Tenants.Default)
        {
            request.Headers.Add("X-Scope-OrgID", notification.Tenant);
        }

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

    /// <summary>The longest time one attempt may take, over every receiver.</summary>
    public TimeSpan LongestTimeout()
    {
        var longest = options.DeliveryTimeout;
        foreach (var receiver in config.AllReceivers)
        {
            if (receiver.Timeout is { } t && t > longest)
            {
                longest = t;
            }
        }

        return longest;
    }
}
