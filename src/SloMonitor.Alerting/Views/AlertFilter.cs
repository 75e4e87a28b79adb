using System.Text.RegularExpressions;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Views;

/// <summary>
/// Which alerts a query wants, with the meaning of Alertmanager's <c>GET /api/v2/alerts</c> parameters: every
/// matcher must match; <see cref="Active"/>, <see cref="Silenced"/> (silences and maintenance windows) and
/// <see cref="Inhibited"/> false leave out alerts in that state; <see cref="Receiver"/> (anchored) must match one
/// of the alert's receivers. SloMonitor decides muting when it is asked, so no alert is ever unprocessed.
/// </summary>
public sealed record AlertFilter(
    IReadOnlyList<Matcher> Matchers,
    bool Active = true,
    bool Silenced = true,
    bool Inhibited = true,
    bool Unprocessed = true,
    Regex? Receiver = null)
{
    public static AlertFilter All { get; } = new([]);

    internal bool AcceptsState(AlertView alert) =>
        (Active || alert.State != "active")
        && (Silenced || (alert.SilencedBy.Count == 0 && alert.MutedBy.Count == 0))
        && (Inhibited || alert.InhibitedBy.Count == 0)
        && Matcher.MatchesAll(Matchers, alert.Labels);
}
