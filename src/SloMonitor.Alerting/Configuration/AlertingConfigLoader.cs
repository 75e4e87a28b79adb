using System.Globalization;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Routing;
using SloMonitor.Configuration;

namespace SloMonitor.Alerting.Configuration;

/// <summary>
/// Reads the routing file (see docs/alerting.md): <c>route</c>, <c>inhibitRules</c>, <c>maintenanceWindows</c>,
/// <c>receivers</c>, <c>incidents</c>, and <c>tenants</c> (tenant name → its own <c>route</c>, <c>receivers</c>,
/// <c>inhibitRules</c> and <c>maintenanceWindows</c>). Every receiver a route names must exist in its own section;
/// defaults are Alertmanager's. The file is read to its end whatever it finds: an invalid file is reported with
/// every error at once (<see cref="AlertingConfigException.Errors"/>), each naming the file, the line and the field.
/// </summary>
internal static class AlertingConfigLoader
{
    private static readonly string[] IntegrationKinds = ["webhook", "slack", "pagerduty", "alertmanager"];

    public static AlertingConfig LoadFile(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new AlertingConfigException($"{path}: cannot read the routing file: {ex.Message}", ex);
        }

        return Parse(text, path, environment);
    }

    public static AlertingConfig Parse(string yaml, string file, Func<string, string?>? environment = null)
    {
        var errors = new List<ConfigError>();
        var documents = YamlConfigReader.ReadDocuments(yaml, file, errors);
        if (errors.Count > 0)
        {
            throw new AlertingConfigException(errors);
        }

        if (documents.Count == 0)
        {
            throw new AlertingConfigException([new ConfigError(file + ":1:1", "route", "is required")]);
        }

        var fields = new RoutingFields(new NodeReader(errors), environment ?? Environment.GetEnvironmentVariable);
        var reader = fields.Reader;
        var root = reader.Map(documents[0], required: true);
        if (root is null)
        {
            throw new AlertingConfigException(errors);
        }

        reader.RejectUnknown(root, "route", "inhibitRules", "maintenanceWindows", "receivers", "incidents", "tenants");
        var (route, inhibitRules, windows, receivers) = ReadSection(fields, root);

        TimeSpan? ackTimeout = null;
        if (reader.Map(root.Get("incidents")) is { } incidents)
        {
            reader.RejectUnknown(incidents, "ackTimeout");
            ackTimeout = fields.Duration(incidents, "ackTimeout");
        }

        var tenants = ReadTenants(fields, root, ackTimeout);
        if (errors.Count > 0 || route is null)
        {
            throw new AlertingConfigException(errors);
        }

        return new AlertingConfig(route, inhibitRules, windows, receivers, ackTimeout) { Tenants = tenants };
    }

    /// <summary>The parts a tenant section shares with the top level; the route is null after an error in it.</summary>
    private static (Route? Route, List<InhibitRule> InhibitRules, List<MaintenanceWindow> Windows, Dictionary<string, ReceiverConfig> Receivers) ReadSection(
        RoutingFields fields, MapNode map)
    {
        var reader = fields.Reader;
        var receivers = ReadReceivers(fields, map);
        Route? route = null;
        if (map.Get("route") is null or ScalarNode { Value: null })
        {
            reader.Error(map, "route", "is required");
        }
        else if (reader.Map(map.Get("route")) is { } routeMap)
        {
            route = ReadRoute(fields, routeMap, parent: null, key: "{}", receivers);
        }

        var inhibitRules = map.Get("inhibitRules") is null or ScalarNode { Value: null } ? [InhibitRule.PageInhibitsTicket] : ReadInhibitRules(fields, map);
        return (route, inhibitRules, ReadMaintenanceWindows(fields, map), receivers);
    }

    private static Dictionary<string, AlertingConfig> ReadTenants(RoutingFields fields, MapNode root, TimeSpan? ackTimeout)
    {
        var reader = fields.Reader;
        var tenants = new Dictionary<string, AlertingConfig>(StringComparer.Ordinal);
        if (reader.Map(root.Get("tenants")) is not { } map)
        {
            return tenants;
        }

        for (var i = 0; i < map.Entries.Count; i++)
        {
            var (name, value) = map.Entries[i];
            if (!IsTenantName(name))
            {
                reader.KeyError(map, i, "is not a tenant name (the tenant of its tokens: not empty, at most 256 characters, no control characters)");
                continue;
            }

            if (reader.Map(value, required: true) is not { } section)
            {
                continue;
            }

            reader.RejectUnknown(section, "route", "inhibitRules", "maintenanceWindows", "receivers");
            var (route, inhibitRules, windows, receivers) = ReadSection(fields, section);
            if (route is not null)
            {
                tenants[name] = new AlertingConfig(route, inhibitRules, windows, receivers, ackTimeout);
            }
        }

        return tenants;
    }

    /// <summary>Any name a token or a JWT claim can carry, short of empty, overlong or control characters.</summary>
    private static bool IsTenantName(string name) =>
        name.Length is > 0 and <= 256 && !string.IsNullOrWhiteSpace(name) && !name.Any(char.IsControl);

    private static Route ReadRoute(RoutingFields fields, MapNode map, Route? parent, string key, Dictionary<string, ReceiverConfig> receivers)
    {
        var reader = fields.Reader;
        reader.RejectUnknown(map, "receiver", "matchers", "continue", "groupBy", "groupWait", "groupInterval", "repeatInterval", "routes");
        var matchers = fields.Matchers(map, "matchers");
        if (parent is null && matchers.Count > 0)
        {
            reader.Error(map, "matchers", "the root route matches every alert and takes no matchers");
        }

        var own = reader.String(map, "receiver");
        var receiver = own ?? parent?.Receiver;
        if (receiver is null && parent is null && map.Get("receiver") is null or ScalarNode { Value: null })
        {
            reader.Error(map, "receiver", "is required on the root route");
        }
        else if (own is not null && !receivers.ContainsKey(own))
        {
            reader.Error(map.Get("receiver")!, $"no receiver named '{own}' in receivers");
        }

        IReadOnlyList<string>? groupBy = parent is null ? [] : parent.GroupBy;
        if (map.Get("groupBy") is not (null or ScalarNode { Value: null }))
        {
            var list = reader.StringList(map, "groupBy");
            groupBy = list.Contains("...") ? null : list;
        }

        var ownKey = parent is null ? key : key + "/{" + string.Join(",", matchers) + "}";
        var route = new Route
        {
            Key = ownKey,
            Receiver = receiver ?? string.Empty,
            Matchers = matchers,
            GroupBy = groupBy,
            GroupWait = fields.Duration(map, "groupWait", allowZero: true) ?? parent?.GroupWait ?? AlertingConfig.DefaultGroupWait,
            GroupInterval = fields.Duration(map, "groupInterval") ?? parent?.GroupInterval ?? AlertingConfig.DefaultGroupInterval,
            RepeatInterval = fields.Duration(map, "repeatInterval") ?? parent?.RepeatInterval ?? AlertingConfig.DefaultRepeatInterval,
            Continue = reader.Bool(map, "continue") ?? false,
        };
        if (parent is null && route.Continue)
        {
            reader.Error(map, "continue", "cannot be set on the root route");
        }

        var children = new List<Route>();
        var index = 0;
        foreach (var node in reader.Sequence(map, "routes"))
        {
            if (reader.Map(node, required: true) is { } child)
            {
                children.Add(ReadRoute(fields, child, route, ownKey + "/" + index.ToString(CultureInfo.InvariantCulture), receivers));
            }

            index++;
        }

        return new Route
        {
            Key = route.Key,
            Receiver = route.Receiver,
            Matchers = route.Matchers,
            GroupBy = route.GroupBy,
            GroupWait = route.GroupWait,
            GroupInterval = route.GroupInterval,
            RepeatInterval = route.RepeatInterval,
            Continue = route.Continue,
            Children = children,
        };
    }

    private static List<InhibitRule> ReadInhibitRules(RoutingFields fields, MapNode root)
    {
        var reader = fields.Reader;
        var rules = new List<InhibitRule>();
        foreach (var node in reader.Sequence(root, "inhibitRules"))
        {
            if (reader.Map(node, required: true) is not { } map)
            {
                continue;
            }

            reader.RejectUnknown(map, "sourceMatchers", "targetMatchers", "equal");
            var source = NonEmptyMatchers(fields, map, "sourceMatchers");
            var target = NonEmptyMatchers(fields, map, "targetMatchers");
            var equal = reader.StringList(map, "equal");
            if (source is not null && target is not null)
            {
                rules.Add(new InhibitRule(source, target, equal));
            }
        }

        return rules;
    }

    /// <summary>The matchers of <paramref name="key"/>, at least one; null (with an error) otherwise.</summary>
    private static List<Matcher>? NonEmptyMatchers(RoutingFields fields, MapNode map, string key)
    {
        var before = fields.Reader.Errors.Count;
        var matchers = fields.Matchers(map, key);
        if (fields.Reader.Errors.Count > before)
        {
            return null;
        }

        if (matchers.Count == 0)
        {
            fields.Reader.Error(map, key, "needs at least one matcher");
            return null;
        }

        return matchers;
    }

    private static List<MaintenanceWindow> ReadMaintenanceWindows(RoutingFields fields, MapNode root)
    {
        var reader = fields.Reader;
        var windows = new List<MaintenanceWindow>();
        foreach (var node in reader.Sequence(root, "maintenanceWindows"))
        {
            if (reader.Map(node, required: true) is not { } map)
            {
                continue;
            }

            var before = reader.Errors.Count;
            reader.RejectUnknown(map, "name", "matchers", "weekdays", "start", "duration", "timeZone");
            var name = reader.String(map, "name", required: true);
            var days = new HashSet<DayOfWeek>();
            foreach (var day in reader.StringList(map, "weekdays"))
            {
                if (Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var parsed) && !int.TryParse(day, out _))
                {
                    days.Add(parsed);
                }
                else
                {
                    reader.Error(map.Get("weekdays")!, $"'{day}' is not a weekday name");
                }
            }

            var start = default(TimeOnly);
            if (reader.String(map, "start", required: true) is { } startText
                && !TimeOnly.TryParseExact(startText, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
            {
                reader.Error(map.Get("start")!, $"'{startText}' is not a time of day HH:mm");
            }

            var duration = fields.Duration(map, "duration");
            if (duration is null && map.Get("duration") is null or ScalarNode { Value: null })
            {
                reader.Error(map, "duration", "is required");
            }

            var zoneName = reader.String(map, "timeZone") ?? "UTC";
            TimeZoneInfo? zone = null;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
            }
            catch (TimeZoneNotFoundException)
            {
                reader.Error(map.Get("timeZone")!, $"unknown time zone '{zoneName}'");
            }

            var matchers = fields.Matchers(map, "matchers");
            if (reader.Errors.Count == before)
            {
                windows.Add(new MaintenanceWindow(name!, matchers, days, start, duration!.Value, zone!));
            }
        }

        return windows;
    }

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
