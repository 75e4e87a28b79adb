using SloMonitor.Configuration;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// The <c>metadata.annotations</c> that carry what OpenSLO has no field for: links, grouping and the alerting policy
/// (as JSON, the fields of <c>alerting</c>) and the release policy (as JSON, the fields of <c>policy</c>). Annotations of other prefixes belong to other tools and are left alone;
/// an unknown <c>slomonitor/</c> one is an error, so a typo does not pass silently.
/// </summary>
internal static class OpenSloAnnotations
{
    public const string Prefix = "slomonitor/";
    public const string RunbookUrl = Prefix + "runbook-url";
    public const string DashboardUrl = Prefix + "dashboard-url";
    public const string GroupBy = Prefix + "group-by";
    public const string MaxGroups = Prefix + "max-groups";
    public const string Alerting = Prefix + "alerting";
    public const string Policy = Prefix + "policy";

    private static readonly string[] Known = [RunbookUrl, DashboardUrl, GroupBy, MaxGroups, Alerting, Policy];

    /// <summary>Hands each annotation to <paramref name="put"/> as the SloMonitor field it stands for.</summary>
    public static void Read(MapNode annotations, NodeReader reader, Action<string, ConfigNode?> put)
    {
        foreach (var (key, node) in annotations.Entries)
        {
            switch (key)
            {
                case RunbookUrl:
                    put("runbookUrl", node);
                    break;
                case DashboardUrl:
                    put("dashboardUrl", node);
                    break;
                case MaxGroups:
                    put("maxGroups", node);
                    break;
                case GroupBy when reader.String(annotations, key) is { } names:
                    var items = names.Split(',').Select(n => (ConfigNode)new ScalarNode(node.Path, node.Location, n.Trim(), true)).ToList();
                    put("groupBy", new SequenceNode(node.Path, node.Location, items));
                    break;
                case Alerting when reader.String(annotations, key) is { } json:
                    put("alerting", ReadJson(json, node, reader));
                    break;
                case Policy when reader.String(annotations, key) is { } json:
                    put("policy", ReadJson(json, node, reader));
                    break;
                case GroupBy or Alerting or Policy:
                    break;
                default:
                    if (key.StartsWith(Prefix, StringComparison.Ordinal))
                    {
                        reader.Error(node, $"unknown annotation '{key}' (expected one of: {string.Join(", ", Known)})");
                    }

                    break;
            }
        }
    }

    /// <summary>The JSON text of an annotation as nodes located at the annotation, so that errors name its line.</summary>
    private static ConfigNode? ReadJson(string json, ConfigNode at, NodeReader reader)
    {
        var errors = new List<ConfigError>();
        var root = JsonConfigReader.Read(json, errors, at.Path);
        if (root is null)
        {
            reader.Error(at, "expected JSON, e.g. {\"minEvents\": 20}: " + errors[0].Message);
            return null;
        }

        return Relocate(root, at.Location);
    }

    private static ConfigNode Relocate(ConfigNode node, string location) => node switch
    {
        MapNode map => new MapNode(map.Path, location, [.. map.Entries.Select(e => new KeyValuePair<string, ConfigNode>(e.Key, Relocate(e.Value, location)))]),
        SequenceNode list => new SequenceNode(list.Path, location, [.. list.Items.Select(i => Relocate(i, location))]),
        ScalarNode scalar => new ScalarNode(scalar.Path, location, scalar.Value, scalar.IsString),
        _ => node,
    };
}
