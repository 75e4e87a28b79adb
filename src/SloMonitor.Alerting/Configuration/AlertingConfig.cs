using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Configuration;

/// <summary>The routing file, validated: routing tree, inhibition, maintenance windows, receivers.</summary>
internal sealed record AlertingConfig(
    Route Root,
    IReadOnlyList<InhibitRule> InhibitRules,
    IReadOnlyList<MaintenanceWindow> MaintenanceWindows,
    IReadOnlyDictionary<string, ReceiverConfig> Receivers,
    TimeSpan? AckTimeout)
{
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
