using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Configuration;

/// <summary>
/// The routing file, validated: routing tree, inhibition, maintenance windows, receivers, and the sections of the
/// tenants that have their own (<see cref="Tenants"/>, each with the same parts). A tenant without one is routed by
/// the top level.
/// </summary>
internal sealed record AlertingConfig(
    Route Root,
    IReadOnlyList<InhibitRule> InhibitRules,
    IReadOnlyList<MaintenanceWindow> MaintenanceWindows,
    IReadOnlyDictionary<string, ReceiverConfig> Receivers,
    TimeSpan? AckTimeout)
{
    /// <summary>The sections of the tenants that have their own routing, by tenant name.</summary>
    public IReadOnlyDictionary<string, AlertingConfig> Tenants { get; init; } = new Dictionary<string, AlertingConfig>(StringComparer.Ordinal);

    /// <summary>The routing of <paramref name="tenant"/>: its own section, or the top level when it has none.</summary>
    public AlertingConfig For(string tenant) => Tenants.TryGetValue(tenant, out var own) ? own : this;

    /// <summary>Every receiver of the file, the top level's and each tenant section's.</summary>
    public IEnumerable<ReceiverConfig> AllReceivers => Receivers.Values.Concat(Tenants.Values.SelectMany(t => t.Receivers.Values));

    public static readonly TimeSpan DefaultGroupWait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    /// <summary>Used when no routing file is configured: one receiver that sends nothing, incidents still kept.</summary>
    public static AlertingConfig Empty { get; } = new(
        new Route
        {
            Key = "{}",
            Receiver = "default",
            Matchers = [],
            GroupBy = ["alertname", "slo"],
            GroupWait = DefaultGroupWait,
            GroupInterval = DefaultGroupInterval,
            RepeatInterval = DefaultRepeatInterval,
        },
        [InhibitRule.PageInhibitsTicket],
        [],
        new Dictionary<string, ReceiverConfig> { ["default"] = new() { Name = "default", Kind = ReceiverKind.None } },
        null);
}
