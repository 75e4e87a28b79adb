using System.Globalization;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Routing;
using SloMonitor.Configuration;

namespace SloMonitor.Alerting.Configuration;

/// <summary>The <c>receivers</c> of a routing file section: integrations, their URLs, secrets and credentials.</summary>
internal static partial class AlertingConfigLoader
{
    private static readonly string[] IntegrationKinds = ["webhook", "slack", "pagerduty", "alertmanager"];

    private static Dictionary<string, ReceiverConfig> ReadReceivers(RoutingFields fields, MapNode root)
    {
        var reader = fields.Reader;
        var receivers = new Dictionary<string, ReceiverConfig>(StringComparer.Ordinal);
        if (root.Get("receivers") is null or ScalarNode { Value: null })
        {
            reader.Error(root, "receivers", "is required (a receiver with no integration sends nothing)");
            return receivers;
        }

        foreach (var node in reader.Sequence(root, "receivers"))
        {
            if (reader.Map(node, required: true) is not { } map)
            {
                continue;
            }

            reader.RejectUnknown(map, "name", "timeout", "webhook", "slack", "pagerduty", "alertmanager");
            var name = reader.String(map, "name", required: true);
            if (name is not null && receivers.ContainsKey(name))
            {
                reader.Error(map, "name", $"receiver '{name}' is defined twice");
                continue;
            }

            var timeout = fields.Duration(map, "timeout");
            var kinds = IntegrationKinds.Where(k => map.Get(k) is not null).ToList();
            if (kinds.Count > 1)
            {
                reader.Error(map, $"has {string.Join(" and ", kinds)}; a receiver has one integration (use continue: true routes to send to several)");
            }

            var receiver = kinds.Count == 0
                ? new ReceiverConfig { Name = name ?? string.Empty, Kind = ReceiverKind.None, Timeout = timeout }
                : reader.Map(map.Get(kinds[0]), required: true) is { } integration
                    ? ReadIntegration(fields, integration, kinds[0], name ?? string.Empty, timeout)
                    : null;
            if (name is not null)
            {
                // Kept after an error in its integration too, so that routes naming it are not reported as well.
                receivers[name] = receiver ?? new ReceiverConfig { Name = name, Kind = ReceiverKind.None, Timeout = timeout };
            }
        }

        return receivers;
    }

    private static ReceiverConfig ReadIntegration(RoutingFields fields, MapNode map, string kind, string name, TimeSpan? timeout)
    {
        var reader = fields.Reader;
        switch (kind)
        {
            case "webhook":
                reader.RejectUnknown(map, "url", "urlFile", "token", "tokenFile", "maxAlerts", "sendResolved");
                return new ReceiverConfig
                {
                    Name = name,
                    Kind = ReceiverKind.Webhook,
                    Timeout = timeout,
                    Url = Url(fields, map),
                    Token = Secret(fields, map, "token"),
                    MaxAlerts = reader.Integer(map, "maxAlerts", 0) ?? 0,
                    SendResolved = reader.Bool(map, "sendResolved") ?? true,
                };
            case "slack":
                reader.RejectUnknown(map, "url", "urlFile", "channel", "username", "sendResolved");
                return new ReceiverConfig
                {
                    Name = name,
                    Kind = ReceiverKind.Slack,
                    Timeout = timeout,
                    Url = Url(fields, map, secret: true),
                    Channel = fields.ExpandedString(map, "channel"),
                    Username = fields.ExpandedString(map, "username"),
                    SendResolved = reader.Bool(map, "sendResolved") ?? true,
                };
            case "pagerduty":
                reader.RejectUnknown(map, "routingKey", "routingKeyFile", "url");
                var before = reader.Errors.Count;
                var key = Secret(fields, map, "routingKey");
                if (string.IsNullOrWhiteSpace(key) && reader.Errors.Count == before)
                {
                    reader.Error(map, "routingKey", "is required (or routingKeyFile)");
                }

                return new ReceiverConfig
                {
                    Name = name,
                    Kind = ReceiverKind.PagerDuty,
                    Timeout = timeout,
                    RoutingKey = key,
                    Url = map.Get("url") is null ? new Uri("https://events.pagerduty.com/v2/enqueue") : Url(fields, map),
                };
            default:
                reader.RejectUnknown(map, "url", "urlFile", "token", "tokenFile");
                return new ReceiverConfig
                {
                    Name = name, Kind = ReceiverKind.Alertmanager, Timeout = timeout, Url = Url(fields, map), Token = Secret(fields, map, "token"),
                };
        }
    }

    /// <summary>
    /// A secret (<paramref name="key"/>): read from <c>{key}File</c>, or from <c>{key}</c> only when it names an
    /// environment variable; written in the routing file itself it is refused, naming the field and never the value.
    /// </summary>
    private static string? Secret(RoutingFields fields, MapNode map, string key)
    {
        if (map.Get(key + "File") is not null)
        {
            return fields.ReadSecretFile(map, key + "File");
        }

        var raw = fields.Reader.String(map, key);
        if (raw is null)
        {
            return null;
        }

        var node = map.Get(key)!;
        if (!RoutingFields.RefersToEnvironment(raw))
        {
            fields.Reader.Error(node, $"is a secret and must not be written in the routing file: use ${{env:NAME}} or {key}File");
            return null;
        }

        return fields.Expand(raw, node);
    }

    /// <summary>
    /// A receiver's URL, from <c>urlFile</c> or <c>url</c>. A <paramref name="secret"/> URL (Slack's) written in the
    /// routing file must name an environment variable; any other written there must carry no credentials (user info,
    /// or a query parameter named like a token, key, secret, password or signature). Null after an error.
    /// </summary>
    private static Uri? Url(RoutingFields fields, MapNode map, bool secret = false)
    {
        var reader = fields.Reader;
        var before = reader.Errors.Count;
        var fromFile = map.Get("urlFile") is not null;
        string? text;
        var written = false;
        if (fromFile)
        {
            text = fields.ReadSecretFile(map, "urlFile");
        }
        else if (secret)
        {
            text = Secret(fields, map, "url");
        }
        else
        {
            var raw = reader.String(map, "url");
            written = raw is not null && !RoutingFields.RefersToEnvironment(raw);
            text = raw is null ? null : fields.Expand(raw, map.Get("url")!);
        }

        if (reader.Errors.Count > before)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            reader.Error(map, "url", "is required (or urlFile)");
            return null;
        }

        // The URL may carry a secret (Slack), so the error does not repeat it.
        var node = map.Get(fromFile ? "urlFile" : "url")!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            reader.Error(node, "is not an absolute http(s) URL");
            return null;
        }

        if (written && Credentials(uri) is { } credentials)
        {
            reader.Error(node, $"carries {credentials}, a secret that must not be written in the routing file: use urlFile or ${{env:NAME}}");
            return null;
        }

        return uri;
    }

    private static readonly string[] SecretQueryNames = ["token", "key", "secret", "password", "passwd", "sig", "auth"];

    private static string? Credentials(Uri uri)
    {
        if (uri.UserInfo.Length > 0)
        {
            return "user info";
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(pair.Split('=')[0]);
            if (SecretQueryNames.Any(n => name.Contains(n, StringComparison.OrdinalIgnoreCase)))
            {
                return $"the query parameter '{name}'";
            }
        }

        return null;
    }
}
