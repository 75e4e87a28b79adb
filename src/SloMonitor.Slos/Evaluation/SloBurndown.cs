namespace SloMonitor.Slos.Evaluation;

/// <summary>One point of a burn-down: bad events from the window's start up to <see cref="Time"/>, and the budget left after them.</summary>
public sealed record SloBurndownPoint(DateTimeOffset Time, double BadEvents, double? BudgetRemainingRatio);

/// <summary>
/// How the error budget of the SLO window that ends now was spent. Each point gives the budget left after the bad
/// events from the window's start up to the point, out of the budget of the whole window as it stands now. So the
/// line starts at 1 when the window starts and ends at the budget remaining of the SLO's status. A rolling window
/// starts <c>window</c> ago; a calendar window at the start of its period. Points follow the series' slices: for a
/// 30-day window, hourly.
/// </summary>
public sealed record SloBurndown(DateTimeOffset From, DateTimeOffset To, TimeSpan Step, double BudgetEvents, IReadOnlyList<SloBurndownPoint> Points)
{
    public const int DefaultPoints = 240;
}

internal static class SloBurndownReader
{
    public static SloBurndown Read(CompiledSlo slo, DateTimeOffset now, int points)
    {
        var definition = slo.Definition;
        var (fromMs, period) = SloEvaluator.SloWindowBounds(definition.Window, now);
        var nowMs = now.ToUnixTimeMilliseconds();
        var track = slo.Tracks.Overall;
        var whole = ExcludedRanges.Apply(slo, track, track.Read(fromMs, nowMs + 1, withLatency: false), fromMs, nowMs + 1);
        var budget = SloEvaluator.BudgetEvents(definition, whole, period);
        var stepMs = Math.Max(10_000, (nowMs - fromMs + points - 1) / Math.Max(1, points));
        var result = new List<SloBurndownPoint>(points + 1);
        for (var tMs = fromMs; ; tMs += stepMs)
        {
            var at = Math.Min(tMs, nowMs);
            var reading = ExcludedRanges.Apply(slo, track, track.Read(fromMs, at + 1, withLatency: false), fromMs, at + 1);
            double bad = reading.Total - reading.Good;
            double? ratio = budget > 0 && whole.Total > 0 ? (budget - bad) / budget : null;
            result.Add(new SloBurndownPoint(DateTimeOffset.FromUnixTimeMilliseconds(at), bad, ratio));
            if (at == nowMs)
            {
                break;
            }
        }

        return new SloBurndown(DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(nowMs), TimeSpan.FromMilliseconds(stepMs), SloEvaluator.Round(budget), result);
    }
}
