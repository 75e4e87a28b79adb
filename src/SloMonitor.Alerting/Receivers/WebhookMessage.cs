using SloMonitor.Alerting.Delivery;

namespace SloMonitor.Alerting.Receivers;

/// <summary>Alertmanager's webhook format (version 4), so existing webhook consumers work unchanged.</summary>
internal static class WebhookMessage
{
    public static HttpRequestMessage Build(ReceiverConfig receiver, Notification notification, string dedupKey, string? externalUrl)
    {
        var alerts = notification.Alerts;
        var truncated = 0;
        if (receiver.MaxAlerts > 0 && alerts.Count > receiver.MaxAlerts)
        {
            truncated = alerts.Count - receiver.MaxAlerts;
            alerts = alerts.Take(receiver.MaxAlerts).ToList();
        }

        var content = JsonBody.Content(w =>
        {
            w.WriteStartObject();
            w.WriteString("version", "4");
            w.WriteString("groupKey", notification.GroupKey);
            w.WriteNumber("truncatedAlerts", truncated);
            w.WriteString("status", notification.Status);
            w.WriteString("receiver", notification.Receiver);
            JsonBody.WriteMap(w, "groupLabels", notification.GroupLabels);
            JsonBody.WriteMap(w, "commonLabels", JsonBody.Common(notification.Alerts.Select(a => a.Labels).ToList()));
            JsonBody.WriteMap(w, "commonAnnotations", JsonBody.Common(notification.Alerts.Select(a => a.Annotations).ToList()));
            w.WriteString("externalURL", externalUrl ?? string.Empty);
            w.WriteStartArray("alerts");
            foreach (var alert in alerts)
            {
                w.WriteStartObject();
                w.WriteString("status", alert.Status);
                JsonBody.WriteMap(w, "labels", alert.Labels);
                JsonBody.WriteMap(w, "annotations", alert.Annotations);
                w.WriteString("startsAt", JsonBody.Time(alert.StartsAt));
                w.WriteString("endsAt", alert.EndsAt is { } endsAt ? JsonBody.Time(endsAt) : JsonBody.ZeroTime);
                w.WriteString("generatorURL", alert.GeneratorUrl ?? string.Empty);
                w.WriteString("fingerprint", alert.Fingerprint);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = content };
        request.Headers.Add("Idempotency-Key", dedupKey);
        return request;
    }
}
