namespace SloMonitor.Alerting.Routing;

/// <summary>
/// A node of the routing tree, with Alertmanager's semantics: an alert descends into the first matching child
/// (and further children when that child sets <see cref="Continue"/>); when no child matches, this node takes it.
/// Unset settings are inherited from the parent when the tree is loaded.
/// </summary>
internal sealed class Route
{
    public required string Key { get; init; }

    public required string Receiver { get; init; }

    public required IReadOnlyList<Matcher> Matchers { get; init; }

    /// <summary>Label names to group by; null groups by all labels (<c>groupBy: ['...']</c>).</summary>
    public required IReadOnlyList<string>? GroupBy { get; init; }

    public required TimeSpan GroupWait { get; init; }

    public required TimeSpan GroupInterval { get; init; }

    public required TimeSpan RepeatInterval { get; init; }

    public bool Continue { get; init; }

    public IReadOnlyList<Route> Children { get; init; } = [];

    /// <summary>The routes that take an alert with these labels, in tree order.</summary>
    public List<Route> Match(IReadOnlyDictionary<string, string> labels)
    {
        var result = new List<Route>();
        Collect(labels, result);
        return result;
    }

    /// <summary>
    /// The group key of an alert of <paramref name="tenant"/>: the default tenant's is the route's key and group labels
    /// (as before tenants), another tenant's starts with its name and a slash (a route key starts with a brace).
    /// </summary>
    public string GroupKeyFor(string tenant, IReadOnlyDictionary<string, string> labels, out Dictionary<string, string> groupLabels)
    {
        var key = GroupKeyFor(labels, out groupLabels);
        return tenant == Storage.Tenants.Default ? key : tenant + "/" + key;
    }

    public string GroupKeyFor(IReadOnlyDictionary<string, string> labels, out Dictionary<string, string> groupLabels)
    {
        groupLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (GroupBy is null)
        {
            foreach (var (name, value) in labels)
            {
                groupLabels[name] = value;
            }
        }
        else
        {
            foreach (var name in GroupBy)
            {
                if (labels.TryGetValue(name, out var value))
                {
                    groupLabels[name] = value;
                }
            }
        }

        var parts = groupLabels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}=\"{p.Value}\"");
        return Key + ":{" + string.Join(",", parts) + "}";
    }

    private bool Collect(IReadOnlyDictionary<string, string> labels, List<Route> result)
    {
        if (!Matcher.MatchesAll(Matchers, labels))
        {
            return false;
        }

        var matchedChild = false;
        foreach (var child in Children)
        {
            if (child.Collect(labels, result))
            {
                matchedChild = true;
                if (!child.Continue)
                {
                    break;
                }
            }
        }

        if (!matchedChild)
        {
            result.Add(this);
        }

        return true;
    }
}
