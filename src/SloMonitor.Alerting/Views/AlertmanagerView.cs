using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Muting;

namespace SloMonitor.Alerting.Views;

/// <summary>
/// SloMonitor's alerts, routing and receivers as Alertmanager's API v2 reads them: the alerts still firing in
/// PostgreSQL (from every source, SLO alerts included), each with what mutes it now (silences and inhibition
/// decided at the moment of the query, as Alertmanager does), its receivers, and its groups in the routing tree. Each
/// view is of one tenant: its alerts, its silences and its routing (its own section of the routing file, or the top
/// level). The members without a tenant show the default tenant's.
/// </summary>
public sealed class AlertmanagerView
{
    private readonly AlertStore _alerts;
    private readonly SilenceStore _silences;
    private readonly MuteEvaluator _mutes;
    private readonly AlertingConfig _config;
    private readonly TimeProvider _time;
    private readonly AlertingOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _yaml = new(StringComparer.Ordinal);

    internal AlertmanagerView(AlertStore alerts, SilenceStore silences, MuteEvaluator mutes, AlertingConfig config, AlertingOptions options, TimeProvider time)
    {
        _alerts = alerts;
        _silences = silences;
        _mutes = mutes;
        _config = config;
        _time = time;
        _options = options;
    }

    /// <summary>Every receiver of the default tenant's routing, in the file's order.</summary>
    public IReadOnlyList<string> ReceiverNames => ReceiverNamesOf(Storage.Tenants.Default);

    /// <summary>The default tenant's routing rendered as an Alertmanager configuration.</summary>
    public string ConfigYaml => ConfigYamlOf(Storage.Tenants.Default);

    /// <summary>Every receiver of <paramref name="tenant"/>'s routing, in the file's order.</summary>
    public IReadOnlyList<string> ReceiverNamesOf(string tenant) => [.. _config.For(tenant).Receivers.Keys];

    /// <summary><paramref name="tenant"/>'s routing rendered as an Alertmanager configuration (secrets shown as <c>&lt;secret&gt;</c>).</summary>
    public string ConfigYamlOf(string tenant)
    {
        // One rendering per section: tenants without their own share the top level's.
        var routing = _config.For(tenant);
        var key = ReferenceEquals(routing, _config) ? string.Empty : tenant;
        return _yaml.GetOrAdd(key, _ => AlertmanagerConfigYaml.Render(routing, _options));
    }

    public Task<IReadOnlyList<AlertView>> ListAlertsAsync(AlertFilter filter, CancellationToken cancellationToken) =>
        ListAlertsAsync(Storage.Tenants.Default, filter, cancellationToken);

    /// <summary>The firing alerts of <paramref name="tenant"/> the filter accepts, ordered by fingerprint.</summary>
    public async Task<IReadOnlyList<AlertView>> ListAlertsAsync(string tenant, AlertFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var alerts = await SnapshotAsync(tenant, cancellationToken);
        return alerts
            .Where(a => filter.AcceptsState(a) && (filter.Receiver is null || a.Receivers.Any(filter.Receiver.IsMatch)))
            .OrderBy(a => a.Fingerprint, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The aggregation groups of the routing tree holding the alerts the filter accepts (a group with none is left
    /// out); the receiver filter applies to the group's receiver. Ordered by group labels, then receiver.
    /// </summary>
    public Task<IReadOnlyList<AlertGroupView>> ListGroupsAsync(AlertFilter filter, CancellationToken cancellationToken) =>
        ListGroupsAsync(Storage.Tenants.Default, filter, cancellationToken);

    /// <inheritdoc cref="ListGroupsAsync(AlertFilter, CancellationToken)"/>
    public async Task<IReadOnlyList<AlertGroupView>> ListGroupsAsync(string tenant, AlertFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var alerts = await SnapshotAsync(tenant, cancellationToken);
        var routing = _config.For(tenant);
        var groups = new Dictionary<(string Receiver, string Key), (Dictionary<string, string> Labels, List<AlertView> Alerts)>();
        foreach (var alert in alerts.Where(filter.AcceptsState))
        {
            foreach (var route in routing.Root.Match(alert.Labels))
            {
                if (filter.Receiver is { } receiver && !receiver.IsMatch(route.Receiver))
                {
                    continue;
                }

                var key = route.GroupKeyFor(alert.Labels, out var labels);
                if (!groups.TryGetValue((route.Receiver, key), out var group))
                {
                    group = (labels, []);
                    groups[(route.Receiver, key)] = group;
                }

                group.Alerts.Add(alert);
            }
        }

        return groups
            .Select(g => new AlertGroupView(g.Value.Labels, g.Key.Receiver, g.Value.Alerts.OrderBy(a => a.StartsAt).ThenBy(a => a.Fingerprint, StringComparer.Ordinal).ToList()))
            .OrderBy(g => LabelsText(g.Labels), StringComparer.Ordinal)
            .ThenBy(g => g.Receiver, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<IReadOnlyList<AlertView>> SnapshotAsync(string tenant, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var firing = await _alerts.ListFiringAsync(tenant, now, cancellationToken);
        var silences = await _silences.ListAsync(tenant, includeExpired: false, cancellationToken);
        var routing = _config.For(tenant);
        var index = _mutes.Index(firing, now);
        return firing.Select(alert =>
        {
            var mutes = _mutes.Explain(alert, index, silences, now);
            var receivers = routing.Root.Match(alert.Labels).Select(r => r.Receiver).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return new AlertView(alert.Fingerprint, alert.Labels, alert.Annotations, alert.StartsAt, alert.EndsAt, alert.UpdatedAt, alert.GeneratorUrl,
                receivers, mutes.IsMuted ? "suppressed" : "active", mutes.SilencedBy, mutes.InhibitedBy, mutes.MutedBy);
        }).ToList();
    }

    private static string LabelsText(IReadOnlyDictionary<string, string> labels) =>
        string.Join('\u0000', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "\u0001" + l.Value));
}
