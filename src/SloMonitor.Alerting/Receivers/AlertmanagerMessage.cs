using SloMonitor.Alerting.Delivery;

namespace SloMonitor.Alerting.Receivers;

/// <summary>
/// An upstream Alertmanager: <c>POST {url}/api/v2/alerts</c>. Firing alerts carry an endsAt past the next repeat,
/// so the upstream keeps them firing between notifications; resolved alerts carry their real endsAt.
/// </summary>
internal static class AlertmanagerMessage
{
    public static HttpRequestMessage Build(ReceiverConfig receiver, Notification notification, string dedupKey)
    {
        var baseUrl = receiver.Url!.AbsoluteUri.EndsWith('/') ? receiver.Url : new Uri(receiver.Url.AbsoluteUri + "/");
        var content = JsonBody.Content(w =>
        {
            w.WriteStartArray();
            foreach (var alert in notification.Alerts)
            {
                w.WriteStartObject();
                JsonBody.WriteMap(w, "labels", alert.Labels);
                JsonBody.WriteMap(w, "annotations", alert.Annotations);
                w.WriteString("startsAt", JsonBody.Time(alert.StartsAt));
                w.WriteString("endsAt", JsonBody.Time(alert.EndsAt ?? notification.FiringUntil));
                if (!string.IsNullOrEmpty(alert.GeneratorUrl))
                {
                    w.WriteString("generatorURL", alert.GeneratorUrl);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "api/v2/alerts")) { Content = content };
        request.Headers.Add("Idempotency-Key", dedupKey);
        return request;
    }
}
