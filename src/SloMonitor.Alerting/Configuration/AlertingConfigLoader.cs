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
internal static partial class AlertingConfigLoader
{
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
}
