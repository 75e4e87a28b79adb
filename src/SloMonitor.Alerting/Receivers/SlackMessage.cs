using System.Text;
using SloMonitor.Alerting.Delivery;

namespace SloMonitor.Alerting.Receivers;

/// <summary>A Slack incoming-webhook message: a headline plus one attachment listing the alerts with their links.</summary>
internal static class SlackMessage
{
    public static HttpRequestMessage Build(ReceiverConfig receiver, Notification notification, string? externalUrl)
    {
        var firing = notification.Alerts.Count(a => a.Status == "firing");
        var headline = notification.Status == "firing"
            ? $"[FIRING:{firing}] {Describe(notification.GroupLabels)}"
            : $"[RESOLVED] {Describe(notification.GroupLabels)}";
        var text = new StringBuilder();
        foreach (var alert in notification.Alerts)
        {
            var summary = alert.Annotations.GetValueOrDefault("summary") ?? alert.Labels.GetValueOrDefault("alertname") ?? alert.Fingerprint;
            text.Append(alert.Status == "firing" ? ":red_circle: *" : ":white_check_mark: *").Append(Escape(summary)).Append('*').Append('\n');
            if (alert.Annotations.GetValueOrDefault("description") is { Length: > 0 } description)
            {
                text.Append(Escape(description)).Append('\n');
            }

            if (alert.Status == "firing" && alert.Annotations.GetValueOrDefault("attributions") is { Length: > 0 } attributions)
            {
                text.Append("What is burning: ").Append(Escape(attributions)).Append('\n');
            }

            var links = new List<string>();
            if (alert.Status == "firing" && alert.Annotations.GetValueOrDefault("trace_urls") is { Length: > 0 } traces)
            {
                var n = 0;
                foreach (var trace in traces.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    links.Add($"<{trace}|Trace {++n}>");
                }
            }

            if (alert.Annotations.GetValueOrDefault("runbook_url") is { Length: > 0 } runbook)
            {
                links.Add($"<{runbook}|Runbook>");
            }

            if (alert.Annotations.GetValueOrDefault("dashboard_url") is { Length: > 0 } dashboard)
            {
                links.Add($"<{dashboard}|Dashboard>");
            }

            if (links.Count > 0)
            {
                text.Append(string.Join(" · ", links)).Append('\n');
            }
        }

        var content = JsonBody.Content(w =>
        {
            w.WriteStartObject();
            if (receiver.Channel is { Length: > 0 } channel)
            {
                w.WriteString("channel", channel);
            }

            w.WriteString("username", receiver.Username ?? "SloMonitor");
            w.WriteString("text", headline);
            w.WriteStartArray("attachments");
            w.WriteStartObject();
            w.WriteString("color", notification.Status == "firing" ? "danger" : "good");
            w.WriteString("title", headline);
            if (externalUrl is { Length: > 0 })
            {
                w.WriteString("title_link", externalUrl);
            }

            w.WriteString("text", text.ToString().TrimEnd('\n'));
            w.WriteString("fallback", headline);
            w.WriteStartArray("mrkdwn_in");
            w.WriteStringValue("text");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = content };
    }

    private static string Describe(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0 ? "alerts" : string.Join(" ", labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
