using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>One firing alert that inhibits another, and the rule that says so.</summary>
internal sealed record Inhibitor(Alert Source, InhibitRule Rule);

/// <summary>
/// The firing alerts of one moment, indexed per inhibition rule by the values of the rule's <c>equal</c> labels, so
/// finding what inhibits an alert (or what an alert inhibits) is a lookup per rule, not a scan of every alert.
/// An alert inhibits only alerts of its own tenant, by its tenant's rules. As in Alertmanager, an alert never inhibits itself, and an alert matching both sides of a rule is inhibited only
/// by sources that do not also match the rule's target side (so two such alerts do not mute each other).
/// </summary>
internal sealed class InhibitionIndex
{
    private readonly Func<string, IReadOnlyList<InhibitRule>> _rulesFor;
    private readonly Dictionary<string, TenantPart> _tenants = new(StringComparer.Ordinal);

    /// <summary>The same rules for every tenant; alerts still inhibit only alerts of their own tenant.</summary>
    public InhibitionIndex(IReadOnlyList<InhibitRule> rules, IEnumerable<Alert> firing)
        : this(_ => rules, firing)
    {
    }

    /// <summary>Each tenant's alerts indexed for that tenant's rules: an alert never inhibits one of another tenant.</summary>
    public InhibitionIndex(Func<string, IReadOnlyList<InhibitRule>> rulesFor, IEnumerable<Alert> firing)
    {
        _rulesFor = rulesFor;
        foreach (var alert in firing)
        {
            var part = Part(alert.Tenant);
            var rules = part.Rules;
            for (var i = 0; i < rules.Count; i++)
            {
                if (Matcher.MatchesAll(rules[i].SourceMatchers, alert.Labels))
                {
                    Add(part.Sources[i], Key(rules[i], alert.Labels), alert);
                }

                if (Matcher.MatchesAll(rules[i].TargetMatchers, alert.Labels))
                {
                    Add(part.Targets[i], Key(rules[i], alert.Labels), alert);
                }
            }
        }
    }

    private TenantPart Part(string tenant)
    {
        if (!_tenants.TryGetValue(tenant, out var part))
        {
            part = new TenantPart(_rulesFor(tenant));
            _tenants[tenant] = part;
        }

        return part;
    }

    /// <summary>One tenant's rules and its firing alerts, indexed per rule by the values of the rule's equal labels.</summary>
    private sealed class TenantPart
    {
        public TenantPart(IReadOnlyList<InhibitRule> rules)
        {
            Rules = rules;
            Sources = new Dictionary<string, List<Alert>>[rules.Count];
            Targets = new Dictionary<string, List<Alert>>[rules.Count];
            for (var i = 0; i < rules.Count; i++)
            {
                Sources[i] = new Dictionary<string, List<Alert>>(StringComparer.Ordinal);
                Targets[i] = new Dictionary<string, List<Alert>>(StringComparer.Ordinal);
            }
        }

        public IReadOnlyList<InhibitRule> Rules { get; }

        public Dictionary<string, List<Alert>>[] Sources { get; }

        public Dictionary<string, List<Alert>>[] Targets { get; }
    }

    /// <summary>
    /// The firing alerts inhibiting <paramref name="target"/>, each once, best first: the one sharing the most labels
    /// with it (the page of the same SLO group before that of another group), then the one with the fewest labels it
    /// does not share (an SLO's overall page before a group's for the overall ticket), then the earliest, then by
    /// fingerprint.
    /// </summary>
    public IReadOnlyList<Inhibitor> SourcesOf(Alert target)
    {
        var found = new Dictionary<string, Inhibitor>(StringComparer.Ordinal);
        if (!_tenants.TryGetValue(target.Tenant, out var part))
        {
            return [];
        }

        for (var i = 0; i < part.Rules.Count; i++)
        {
            var rule = part.Rules[i];
            if (!Matcher.MatchesAll(rule.TargetMatchers, target.Labels)
                || !part.Sources[i].TryGetValue(Key(rule, target.Labels), out var sources))
            {
                continue;
            }

            var twoSided = Matcher.MatchesAll(rule.SourceMatchers, target.Labels);
            foreach (var source in sources)
            {
                if (source.Fingerprint != target.Fingerprint
                    && !(twoSided && Matcher.MatchesAll(rule.TargetMatchers, source.Labels)))
                {
                    found.TryAdd(source.Fingerprint, new Inhibitor(source, rule));
                }
            }
        }

        return found.Values
            .OrderByDescending(s => SharedLabels(s.Source.Labels, target.Labels))
            .ThenBy(s => s.Source.Labels.Count - SharedLabels(s.Source.Labels, target.Labels))
            .ThenBy(s => s.Source.StartsAt)
            .ThenBy(s => s.Source.Fingerprint, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The firing alerts that <paramref name="source"/> inhibits.</summary>
    public IReadOnlyList<Alert> TargetsOf(Alert source)
    {
        var found = new Dictionary<string, Alert>(StringComparer.Ordinal);
        if (!_tenants.TryGetValue(source.Tenant, out var part))
        {
            return [];
        }

        for (var i = 0; i < part.Rules.Count; i++)
        {
            var rule = part.Rules[i];
            if (!Matcher.MatchesAll(rule.SourceMatchers, source.Labels)
                || !part.Targets[i].TryGetValue(Key(rule, source.Labels), out var targets))
            {
                continue;
            }

            var sourceIsTarget = Matcher.MatchesAll(rule.TargetMatchers, source.Labels);
            foreach (var target in targets)
            {
                if (target.Fingerprint != source.Fingerprint
                    && !(sourceIsTarget && Matcher.MatchesAll(rule.SourceMatchers, target.Labels)))
                {
                    found.TryAdd(target.Fingerprint, target);
                }
            }
        }

        return [.. found.Values];
    }

    private static void Add(Dictionary<string, List<Alert>> map, string key, Alert alert)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        list.Add(alert);
    }

    /// <summary>The values of the rule's equal labels, a missing label read as empty.</summary>
    private static string Key(InhibitRule rule, IReadOnlyDictionary<string, string> labels) =>
        string.Join('\u0000', rule.Equal.Select(name => labels.TryGetValue(name, out var value) ? value : string.Empty));

    private static int SharedLabels(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        var shared = 0;
        foreach (var (name, value) in a)
        {
            if (b.TryGetValue(name, out var other) && other == value)
            {
                shared++;
            }
        }

        return shared;
    }
}
