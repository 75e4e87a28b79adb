using System.Globalization;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Routing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SloMonitor.Alerting.Configuration;

/// <summary>
/// Reads the routing file (see docs/alerting.md): <c>route</c>, <c>inhibitRules</c>, <c>maintenanceWindows</c>,
/// <c>receivers</c>, <c>incidents</c>, and <c>tenants</c> (tenant name → its own <c>route</c>, <c>receivers</c>,
/// <c>inhibitRules</c> and <c>maintenanceWindows</c>). Every receiver a route names must exist in its own section;
/// defaults are Alertmanager's.
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
        var fields = new YamlFields(file, environment ?? Environment.GetEnvironmentVariable);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new AlertingConfigException($"{file}:{ex.Start.Line}: invalid YAML: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner and node loader fail this way on some malformed input, e.g. a flow collection cut by a
            // newline before a plain scalar (found by fuzzing).
            throw new AlertingConfigException($"{file}: invalid YAML: its structure cannot be read ({ex.Message})", ex);
        }

        if (stream.Documents.Count == 0)
        {
            throw new AlertingConfigException($"{file}:1: route: is required");
        }

        var root = fields.Mapping(stream.Documents[0].RootNode, "(document)");
        fields.OnlyKeys(root, string.Empty, "route", "inhibitRules", "maintenanceWindows", "receivers", "incidents", "tenants");
        var (route, inhibitRules, windows, receivers) = ReadSection(fields, root, string.Empty);

        TimeSpan? ackTimeout = null;
        if (YamlFields.Get(root, "incidents") is { } incidentsNode)
        {
            var incidents = fields.Mapping(incidentsNode, "incidents");
            fields.OnlyKeys(incidents, "incidents", "ackTimeout");
            ackTimeout = fields.Duration(incidents, "ackTimeout", "incidents");
        }

        return new AlertingConfig(route, inhibitRules, windows, receivers, ackTimeout) { Tenants = ReadTenants(fields, root, ackTimeout) };
    }

    /// <summary>The parts a tenant section shares with the top level, read under <paramref name="prefix"/>.</summary>
    private static (Route Route, List<InhibitRule> InhibitRules, List<MaintenanceWindow> Windows, Dictionary<string, ReceiverConfig> Receivers) ReadSection(
        YamlFields fields, YamlMappingNode map, string prefix)
    {
        var receivers = ReadReceivers(fields, map, prefix);
        var routeField = YamlFields.Join(prefix, "route");
        var routeNode = YamlFields.Get(map, "route") ?? throw fields.Error(map, routeField, "is required");
        var route = ReadRoute(fields, fields.Mapping(routeNode, routeField), routeField, parent: null, key: "{}", receivers);
        var inhibitRules = YamlFields.Get(map, "inhibitRules") is null ? [InhibitRule.PageInhibitsTicket] : ReadInhibitRules(fields, map, prefix);
        return (route, inhibitRules, ReadMaintenanceWindows(fields, map, prefix), receivers);
    }

    private static Dictionary<string, AlertingConfig> ReadTenants(YamlFields fields, YamlMappingNode root, TimeSpan? ackTimeout)
    {
        var tenants = new Dictionary<string, AlertingConfig>(StringComparer.Ordinal);
        if (YamlFields.Get(root, "tenants") is not { } node)
        {
            return tenants;
        }

        foreach (var (key, value) in fields.Mapping(node, "tenants").Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!IsTenantName(name))
            {
                throw fields.Error(key, $"tenants.{name}", "is not a tenant name (the tenant of its tokens: not empty, at most 256 characters, no control characters)");
            }

            var field = "tenants." + name;
            var section = fields.Mapping(value, field);
            fields.OnlyKeys(section, field, "route", "inhibitRules", "maintenanceWindows", "receivers");
            var (route, inhibitRules, windows, receivers) = ReadSection(fields, section, field);
            tenants[name] = new AlertingConfig(route, inhibitRules, windows, receivers, ackTimeout);
        }

        return tenants;
    }

    /// <summary>Any name a token or a JWT claim can carry, short of empty, overlong or control characters.</summary>
    private static bool IsTenantName(string name) =>
        name.Length is > 0 and <= 256 && !string.IsNullOrWhiteSpace(name) && !name.Any(char.IsControl);

    private static Route ReadRoute(YamlFields fields, YamlMappingNode map, string field, Route? parent, string key, Dictionary<string, ReceiverConfig> receivers)
    {
        fields.OnlyKeys(map, field, "receiver", "matchers", "continue", "groupBy", "groupWait", "groupInterval", "repeatInterval", "routes");
        var matchers = fields.Matchers(map, "matchers", field);
        if (parent is null && matchers.Count > 0)
        {
            throw fields.Error(map, field + ".matchers", "the root route matches every alert and takes no matchers");
        }

        var receiver = fields.String(map, "receiver", field) ?? parent?.Receiver
            ?? throw fields.Error(map, field + ".receiver", "is required on the root route");
        if (!receivers.ContainsKey(receiver))
        {
            throw fields.Error(YamlFields.Get(map, "receiver") ?? map, field + ".receiver", $"no receiver named '{receiver}' in receivers");
        }

        IReadOnlyList<string>? groupBy = parent is null ? [] : parent.GroupBy;
        if (fields.StringList(map, "groupBy", field) is { } list)
        {
            groupBy = list.Contains("...") ? null : list;
        }

        var ownKey = parent is null ? key : key + "/{" + string.Join(",", matchers) + "}";
        var route = new Route
        {
            Key = ownKey,
            Receiver = receiver,
            Matchers = matchers,
            GroupBy = groupBy,
            GroupWait = fields.Duration(map, "groupWait", field, allowZero: true) ?? parent?.GroupWait ?? AlertingConfig.DefaultGroupWait,
            GroupInterval = fields.Duration(map, "groupInterval", field) ?? parent?.GroupInterval ?? AlertingConfig.DefaultGroupInterval,
            RepeatInterval = fields.Duration(map, "repeatInterval", field) ?? parent?.RepeatInterval ?? AlertingConfig.DefaultRepeatInterval,
            Continue = fields.Bool(map, "continue", field) ?? false,
        };
        if (parent is null && route.Continue)
        {
            throw fields.Error(map, field + ".continue", "cannot be set on the root route");
        }

        var children = new List<Route>();
        var index = 0;
        foreach (var (node, childField) in fields.Sequence(map, "routes", field))
        {
            children.Add(ReadRoute(fields, fields.Mapping(node, childField), childField, route, ownKey + "/" + index.ToString(CultureInfo.InvariantCulture), receivers));
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

    private static List<InhibitRule> ReadInhibitRules(YamlFields fields, YamlMappingNode root, string prefix)
    {
        var rules = new List<InhibitRule>();
        foreach (var (node, field) in fields.Sequence(root, "inhibitRules", prefix))
        {
            var map = fields.Mapping(node, field);
            fields.OnlyKeys(map, field, "sourceMatchers", "targetMatchers", "equal");
            var source = fields.Matchers(map, "sourceMatchers", field);
            var target = fields.Matchers(map, "targetMatchers", field);
            if (source.Count == 0 || target.Count == 0)
            {
                throw fields.Error(map, field + (source.Count == 0 ? ".sourceMatchers" : ".targetMatchers"), "needs at least one matcher");
            }

            rules.Add(new InhibitRule(source, target, fields.StringList(map, "equal", field) ?? []));
        }

        return rules;
    }

    private static List<MaintenanceWindow> ReadMaintenanceWindows(YamlFields fields, YamlMappingNode root, string prefix)
    {
        var windows = new List<MaintenanceWindow>();
        foreach (var (node, field) in fields.Sequence(root, "maintenanceWindows", prefix))
        {
            var map = fields.Mapping(node, field);
            fields.OnlyKeys(map, field, "name", "matchers", "weekdays", "start", "duration", "timeZone");
            var name = fields.RequiredString(map, "name", field);
            var days = new HashSet<DayOfWeek>();
            foreach (var day in fields.StringList(map, "weekdays", field) ?? [])
            {
                days.Add(Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var parsed) && !int.TryParse(day, out _)
                    ? parsed
                    : throw fields.Error(YamlFields.Get(map, "weekdays")!, field + ".weekdays", $"'{day}' is not a weekday name"));
            }

            var startText = fields.RequiredString(map, "start", field);
            if (!TimeOnly.TryParseExact(startText, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            {
                throw fields.Error(YamlFields.Get(map, "start")!, field + ".start", $"'{startText}' is not a time of day HH:mm");
            }

            var duration = fields.Duration(map, "duration", field) ?? throw fields.Error(map, field + ".duration", "is required");
            var zoneName = fields.String(map, "timeZone", field) ?? "UTC";
            TimeZoneInfo zone;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
            }
            catch (TimeZoneNotFoundException)
            {
                throw fields.Error(YamlFields.Get(map, "timeZone")!, field + ".timeZone", $"unknown time zone '{zoneName}'");
            }

            windows.Add(new MaintenanceWindow(name, fields.Matchers(map, "matchers", field), days, start, duration, zone));
        }

        return windows;
    }

    private static Dictionary<string, ReceiverConfig> ReadReceivers(YamlFields fields, YamlMappingNode root, string prefix)
    {
        var receivers = new Dictionary<string, ReceiverConfig>(StringComparer.Ordinal);
        if (YamlFields.Get(root, "receivers") is null)
        {
            throw fields.Error(root, YamlFields.Join(prefix, "receivers"), "is required (a receiver with no integration sends nothing)");
        }

        foreach (var (node, field) in fields.Sequence(root, "receivers", prefix))
        {
            var map = fields.Mapping(node, field);
            fields.OnlyKeys(map, field, "name", "timeout", "webhook", "slack", "pagerduty", "alertmanager");
            var name = fields.RequiredString(map, "name", field);
            if (receivers.ContainsKey(name))
            {
                throw fields.Error(map, field + ".name", $"receiver '{name}' is defined twice");
            }

            var timeout = fields.Duration(map, "timeout", field);
            var kinds = IntegrationKinds.Where(k => YamlFields.Get(map, k) is not null).ToList();
            if (kinds.Count > 1)
            {
                throw fields.Error(map, field, $"has {string.Join(" and ", kinds)}; a receiver has one integration (use continue: true routes to send to several)");
            }

            receivers[name] = kinds.Count == 0
                ? new ReceiverConfig { Name = name, Kind = ReceiverKind.None, Timeout = timeout }
                : ReadIntegration(fields, fields.Mapping(YamlFields.Get(map, kinds[0])!, field + "." + kinds[0]), field + "." + kinds[0], kinds[0], name, timeout);
        }

        return receivers;
    }

    private static ReceiverConfig ReadIntegration(YamlFields fields, YamlMappingNode map, string field, string kind, string name, TimeSpan? timeout)
    {
        switch (kind)
        {
            case "webhook":
                fields.OnlyKeys(map, field, "url", "urlFile", "token", "tokenFile", "maxAlerts", "sendResolved");
                return new ReceiverConfig
                {
                    Name = name,
                    Kind = ReceiverKind.Webhook,
                    Timeout = timeout,
                    Url = Url(fields, map, field),
                    Token = Secret(fields, map, field, "token"),
                    MaxAlerts = fields.Int(map, "maxAlerts", field) ?? 0,
                    SendResolved = fields.Bool(map, "sendResolved", field) ?? true,
                };
            case "slack":
                fields.OnlyKeys(map, field, "url", "urlFile", "channel", "username", "sendResolved");
                return new ReceiverConfig
                {
                    Name = name,
                    Kind = ReceiverKind.Slack,
                    Timeout = timeout,
                    Url = Url(fields, map, field, secret: true),
                    Channel = fields.String(map, "channel", field, expand: true),
                    Username = fields.String(map, "username", field, expand: true),
                    SendResolved = fields.Bool(map, "sendResolved", field) ?? true,
                };
            case "pagerduty":
                fields.OnlyKeys(map, field, "routingKey", "routingKeyFile", "url");
                var key = Secret(fields, map, field, "routingKey");
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw fields.Error(map, field + ".routingKey", "is required (or routingKeyFile)");
                }

                return new ReceiverConfig
                {
                    Name = name,
                    Kind = ReceiverKind.PagerDuty,
                    Timeout = timeout,
                    RoutingKey = key,
                    Url = YamlFields.Get(map, "url") is null ? new Uri("https://events.pagerduty.com/v2/enqueue") : Url(fields, map, field),
                };
            default:
                fields.OnlyKeys(map, field, "url", "urlFile", "token", "tokenFile");
                return new ReceiverConfig
                {
                    Name = name, Kind = ReceiverKind.Alertmanager, Timeout = timeout, Url = Url(fields, map, field), Token = Secret(fields, map, field, "token"),
                };
        }
    }

    /// <summary>
    /// A secret (<paramref name="key"/>): read from <c>{key}File</c>, or from <c>{key}</c> only when it names an
    /// environment variable; written in the routing file itself it is refused, naming the field and never the value.
    /// </summary>
    private static string? Secret(YamlFields fields, YamlMappingNode map, string field, string key)
    {
        if (YamlFields.Get(map, key + "File") is not null)
        {
            return fields.ReadSecretFile(map, key + "File", field);
        }

        var raw = fields.String(map, key, field);
        if (raw is null)
        {
            return null;
        }

        var node = YamlFields.Get(map, key)!;
        if (!YamlFields.RefersToEnvironment(raw))
        {
            throw fields.Error(node, YamlFields.Join(field, key), $"is a secret and must not be written in the routing file: use ${{env:NAME}} or {key}File");
        }

        return fields.Expand(raw, node, YamlFields.Join(field, key));
    }

    /// <summary>
    /// A receiver's URL, from <c>urlFile</c> or <c>url</c>. A <paramref name="secret"/> URL (Slack's) written in the
    /// routing file must name an environment variable; any other written there must carry no credentials (user info,
    /// or a query parameter named like a token, key, secret, password or signature).
    /// </summary>
    private static Uri Url(YamlFields fields, YamlMappingNode map, string field, bool secret = false)
    {
        var fromFile = YamlFields.Get(map, "urlFile") is not null;
        string? text;
        var written = false;
        if (fromFile)
        {
            text = fields.ReadSecretFile(map, "urlFile", field);
        }
        else if (secret)
        {
            text = Secret(fields, map, field, "url");
        }
        else
        {
            var raw = fields.String(map, "url", field);
            written = raw is not null && !YamlFields.RefersToEnvironment(raw);
            text = raw is null ? null : fields.Expand(raw, YamlFields.Get(map, "url")!, YamlFields.Join(field, "url"));
        }

        var node = YamlFields.Get(map, fromFile ? "urlFile" : "url") ?? map;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw fields.Error(node, field + ".url", "is required (or urlFile)");
        }

        // The URL may carry a secret (Slack), so the error does not repeat it.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw fields.Error(node, field + (fromFile ? ".urlFile" : ".url"), "is not an absolute http(s) URL");
        }

        if (written && Credentials(uri) is { } credentials)
        {
            throw fields.Error(node, field + ".url", $"carries {credentials}, a secret that must not be written in the routing file: use urlFile or ${{env:NAME}}");
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
