using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// The budget alerts of an SLO's alerting window: <c>budgetExhaustion</c> (at the burn rate over its window, the
/// remaining budget runs out within the horizon) and <c>budgetRemaining</c> (the remaining share is below the level).
/// Neither holds without a budget figure (no events in the SLO window).
/// </summary>
internal static class BudgetAlerts
{
    private static readonly string[] Severities = [AlertingPolicy.Page, AlertingPolicy.Ticket];

    /// <summary>Updates the track's budget alerts and adds the active ones to <paramref name="alerts"/>.</summary>
    public static void Evaluate(CompiledSlo slo, SliTrack track, TrackReading[] readings, ErrorBudgetStatus budget, WindowStatus sloWindow, DateTimeOffset now, List<ActiveAlert> alerts)
    {
        var policy = slo.Definition.Alerting;
        foreach (var severity in Severities)
        {
            if (policy.BudgetExhaustion.Count > 0
                && track.Alerts.Update(ActiveAlert.BudgetExhaustionKind + ":" + severity, now, policy.ResolveAfter, Exhaustion(slo, readings, budget, severity, now)) is { } exhaustion)
            {
                alerts.Add(exhaustion);
            }

            if (policy.BudgetRemaining.Count > 0
                && track.Alerts.Update(ActiveAlert.BudgetRemainingKind + ":" + severity, now, policy.ResolveAfter, Remaining(slo, budget, sloWindow, severity, now)) is { } remaining)
            {
                alerts.Add(remaining);
            }
        }
    }

    private static ActiveAlert? Exhaustion(CompiledSlo slo, TrackReading[] readings, ErrorBudgetStatus budget, string severity, DateTimeOffset now)
    {
        if (budget.RemainingRatio is not { } remaining)
        {
            return null;
        }

        var definition = slo.Definition;
        var (fromMs, period) = SloEvaluator.SloWindowBounds(definition.Window, now);
        foreach (var rule in definition.Alerting.BudgetExhaustion)
        {
            if (rule.Severity != severity)
            {
                continue;
            }

            var reading = readings[Array.IndexOf(slo.Windows, rule.Window)];
            if (reading.Total < slo.MinEvents)
            {
                continue;
            }

            // A calendar month ends at its last day; a rolling window "ends" one period from now.
            var horizon = rule.Within ?? (definition.Window.IsCalendarMonth
                ? TimeSpan.FromMilliseconds(fromMs + (long)period.TotalMilliseconds - now.ToUnixTimeMilliseconds())
                : period);
            var burn = BurnRate.Of(reading.Good, reading.Total, definition.AllowedErrorRatio);
            var exhaustsAt = BurnRate.ExhaustsAt(now, remaining, burn, period);
            if (exhaustsAt is { } at && at - now <= horizon)
            {
                // The burn rate at which the budget would last exactly until the horizon.
                var threshold = remaining <= 0 ? 0 : remaining * period.TotalSeconds / Math.Max(1, horizon.TotalSeconds);
                return new ActiveAlert(severity, ActiveAlert.BudgetExhaustionKind, DurationText.Format(rule.Window), SloEvaluator.Round(threshold), burn, burn, now)
                {
                    RemainingRatio = remaining,
                    ExhaustsAt = at,
                    Within = rule.Within is { } within ? DurationText.Format(within) : definition.Window.Text,
                };
            }
        }

        return null;
    }

    private static ActiveAlert? Remaining(CompiledSlo slo, ErrorBudgetStatus budget, WindowStatus sloWindow, string severity, DateTimeOffset now)
    {
        if (budget.RemainingRatio is not { } remaining)
        {
            return null;
        }

        foreach (var rule in slo.Definition.Alerting.BudgetRemaining)
        {
            if (rule.Severity == severity && remaining < rule.Below)
            {
                var burn = sloWindow.BurnRate ?? 0;
                return new ActiveAlert(severity, ActiveAlert.BudgetRemainingKind, slo.Definition.Window.Text, rule.Below, burn, burn, now)
                {
                    RemainingRatio = remaining,
                    ExhaustsAt = budget.ExhaustsAt,
                };
            }
        }

        return null;
    }
}
