using SloMonitor.Alerting.Delivery;

namespace SloMonitor.Alerting.Receivers;

/// <summary>
/// PagerDuty Events API v2: one event per alert, its <c>dedup_key</c> the alert's fingerprint, so a new alert in
/// a group is never hidden behind an older alert's incident and each resolve closes exactly its own.
/// </summary>
internal static class PagerDutyMessage
{
    public static HttpRequestMessage Build(ReceiverConfig receiver, Notification notification, string? externalUrl)
    {
        var alert = notification.Alerts.Single();
        var content = JsonBody.Content(w =>
        {
            w.WriteStartObject();
            w.WriteString("routing_key", receiver.RoutingKey);
            w.WriteString("dedup_key", alert.Fingerprint);
            if (alert.Status == "resolved")
            {
                w.WriteString("event_action", "resolve");
                w.WriteEndObject();
                return;
            }

            w.WriteString("event_action", "trigger");
            w.WriteStartObject("payload");
            var summary = alert.Annotations.GetValueOrDefault("summary") ?? alert.Labels.GetValueOrDefault("alertname") ?? alert.Fingerprint;
            w.WriteString("summary", summary.Length > 1024 ? summary[..1024] : summary);
            w.WriteString("source", alert.Labels.GetValueOrDefault("service") ?? "slomonitor");
            w.WriteString("severity", Severity(alert.Labels.GetValueOrDefault("severity")));
            w.WriteString("timestamp", JsonBody.Time(alert.StartsAt));
            if (alert.Labels.GetValueOrDefault("service") is { } service)
            {
                w.WriteString("component", service);
            }

            if (alert.Labels.GetValueOrDefault("slo") is { } slo)
            {
                w.WriteString("group", slo);
            }

            if (alert.Labels.GetValueOrDefault("alertname") is { } alertname)
            {
                w.WriteString("class", alertname);
            }

            w.WriteStartObject("custom_details");
            JsonBody.WriteMap(w, "labels", alert.Labels);
            JsonBody.WriteMap(w, "annotations", alert.Annotations);
            w.WriteString("fingerprint", alert.Fingerprint);
            w.WriteString("groupKey", notification.GroupKey);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartArray("links");
            WriteLink(w, alert.Annotations.GetValueOrDefault("runbook_url"), "Runbook");
            WriteLink(w, alert.Annotations.GetValueOrDefault("dashboard_url"), "Dashboard");
            WriteLink(w, alert.GeneratorUrl, "Source");
            w.WriteEndArray();
            w.WriteString("client", "SloMonitor");
            if (externalUrl is { Length: > 0 })
            {
                w.WriteString("client_url", externalUrl);
            }

            w.WriteEndObject();
        });
        return new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = content };
    }

    /// <summary>page → critical, ticket → warning; PagerDuty's own names pass through; anything else is error.</summary>
    public static string Severity(string? severity) => severity switch
    {
        "page" => "critical",
        "ticket" => "warning",
        "critical" or "error" or "warning" or "info" => severity,
        _ => "error",
    };

    private static void WriteLink(System.Text.Json.Utf8JsonWriter w, string? href, string text)
    {
        if (string.IsNullOrEmpty(href))
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("href", href);
        w.WriteString("text", text);
        w.WriteEndObject();
    }
}
