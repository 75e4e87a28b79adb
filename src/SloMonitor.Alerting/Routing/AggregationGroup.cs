using SloMonitor.Alerting.Alerts;

namespace SloMonitor.Alerting.Routing;

/// <summary>
/// The alerts of one tenant that one route of its routing sends to its receiver under one group key. First flushed <c>groupWait</c> after it was
/// created, then every <c>groupInterval</c>.
/// </summary>
internal sealed class AggregationGroup(Route route, string groupKey, IReadOnlyDictionary<string, string> groupLabels, DateTimeOffset firstFlushAt, string tenant)
{
    public string Tenant { get; } = tenant;

    public Route Route { get; } = route;

    public string GroupKey { get; } = groupKey;

    public IReadOnlyDictionary<string, string> GroupLabels { get; } = groupLabels;

    public Dictionary<string, Alert> Alerts { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset NextFlushAt { get; set; } = firstFlushAt;
}
