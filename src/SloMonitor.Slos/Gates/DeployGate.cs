using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Gates;

/// <summary>Why one SLO holds releases: <c>budget</c> (remaining share below <c>freezeBelow</c>) or <c>paging</c>.</summary>
public sealed record GateReason(string Slo, string Kind, string Message);

/// <summary>One SLO of the service as the gate saw it: its state, budget, policy, firing alerts and whether it blocks.</summary>
public sealed record GateSlo(string Name, string State, string Window, double? RemainingRatio, ReleasePolicy? Policy, IReadOnlyList<ActiveAlert> FiringAlerts, bool Blocking);

/// <summary>The gate's answer: <see cref="Allow"/> with every reason; an active override allows despite the reasons.</summary>
public sealed record GateDecision(
    string Service,
    bool Allow,
    bool Overridden,
    DateTimeOffset? EvaluatedAt,
    IReadOnlyList<GateReason> Reasons,
    IReadOnlyList<GateSlo> Slos,
    IReadOnlyList<GateOverride> Overrides);

/// <summary>
/// Decides whether a service may release, from the published status snapshot (no evaluation) and the release
/// policies of its SLOs: an SLO blocks while the remaining share of its alerting window's budget is strictly below
/// <c>freezeBelow</c>, or, with <c>freezeWhilePaging</c>, while a page alert of it (or of one of its groups) is
/// active. SLOs without a policy are listed but never block; an SLO without a budget figure (no data) does not
/// block on its budget.
/// </summary>
public static class DeployGate
{
    /// <summary>The decision, or null when no SLO of <paramref name="service"/> is known.</summary>
    public static GateDecision? Decide(SloStatusSnapshot snapshot, string service, IReadOnlyList<GateOverride> overrides, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(overrides);
        var reasons = new List<GateReason>();
        var slos = new List<GateSlo>();
        foreach (var slo in snapshot.All.Where(s => s.Definition.Service == service).OrderBy(s => s.Definition.Name, StringComparer.Ordinal))
        {
            var definition = slo.Definition;
            var overall = slo.Overall;
            var firing = overall.ActiveAlerts.Concat(slo.Groups.SelectMany(g => g.ActiveAlerts)).ToList();
            var remaining = overall.ErrorBudgetRemainingRatio;
            var blocking = false;
            if (definition.Policy is { } policy)
            {
                if (policy.FreezeBelow is { } below && remaining is { } ratio && ratio < below)
                {
                    blocking = true;
                    reasons.Add(new GateReason(definition.Name, "budget", FormattableString.Invariant(
                        $"{ratio:P1} of the {definition.Window.Text} error budget remains, below the policy's {below:P1} (freezeBelow)")));
                }

                var pages = firing.Where(a => a.Severity == AlertingPolicy.Page).ToList();
                if (policy.FreezeWhilePaging && pages.Count > 0)
                {
                    blocking = true;
                    reasons.Add(new GateReason(definition.Name, "paging", $"{pages.Count} page alert(s) firing ({string.Join(", ", pages.Select(Describe).Distinct())}) (freezeWhilePaging)"));
                }
            }

            slos.Add(new GateSlo(definition.Name, overall.State, definition.Window.Text, remaining, definition.Policy, firing, blocking));
        }

        if (slos.Count == 0)
        {
            return null;
        }

        var active = overrides.Where(o => o.Service == service && o.ExpiresAt > now).OrderBy(o => o.ExpiresAt).ToList();
        var overridden = reasons.Count > 0 && active.Count > 0;
        return new GateDecision(service, reasons.Count == 0 || overridden, overridden, snapshot.RoundAt, reasons, slos, active);
    }

    private static string Describe(ActiveAlert alert) => alert.Kind switch
    {
        ActiveAlert.BurnRateKind => $"burn rate over {alert.LongWindow}/{alert.ShortWindow}",
        _ => alert.Kind,
    };
}
