using SloMonitor.Slos.Budgets;

namespace SloMonitor.Slos.Evaluation;

/// <summary>One point of an SLO's history: the SLI over the SLO window, burn rates per window, budget left.</summary>
public sealed record SloHistoryPoint(DateTimeOffset Time, double? Sli, IReadOnlyDictionary<string, double?> BurnRates, double? BudgetRemainingRatio);

/// <summary>
/// The chart series of an SLO, recomputed from the in-memory rings. <see cref="Earliest"/> is how far back they
/// reach: the SLO window plus one day of history by default (<c>Slos:HistoryRetention</c>) and no further.
/// </summary>
public sealed record SloHistory(DateTimeOffset From, DateTimeOffset To, TimeSpan Step, DateTimeOffset Earliest, IReadOnlyList<SloHistoryPoint> Points)
{
    /// <summary>The most points one history holds.</summary>
    public const int MaxPoints = 2000;
}

internal static class SloHistoryReader
{
    public static SloHistory Read(CompiledSlo slo, DateTimeOffset from, DateTimeOffset to, TimeSpan step, DateTimeOffset now, TimeSpan retention)
    {
        var definition = slo.Definition;
        var earliest = now - retention + definition.Window.Longest;
        if (from < earliest)
        {
            from = earliest;
        }

        if (to > now)
        {
            to = now;
        }

        var points = new List<SloHistoryPoint>();
        var track = slo.Tracks.Overall;
        var allowed = definition.AllowedErrorRatio;
        for (var t = from; t <= to && points.Count < SloHistory.MaxPoints; t += step)
        {
            var tMs = t.ToUnixTimeMilliseconds();
            var burnRates = new Dictionary<string, double?>(slo.Windows.Length, StringComparer.Ordinal);
            double burn1h = double.NaN;
            for (var i = 0; i < slo.Windows.Length; i++)
            {
                var reading = track.Read(tMs - (long)slo.Windows[i].TotalMilliseconds, tMs, withLatency: false);
                var burn = BurnRate.Of(reading.Good, reading.Total, allowed);
                burnRates[slo.WindowNames[i]] = double.IsNaN(burn) ? null : burn;
                if (slo.Windows[i] == TimeSpan.FromHours(1))
                {
                    burn1h = burn;
                }
            }

            var (fromMs, period) = SloEvaluator.SloWindowBounds(definition.Window, t);
            var window = track.Read(fromMs, tMs + 1, withLatency: false);
            var budget = SloEvaluator.Budget(definition, window, period, t, burn1h);
            double? sli = window.Total == 0 ? null : (double)window.Good / window.Total;
            points.Add(new SloHistoryPoint(t, sli, burnRates, budget.RemainingRatio));
        }

        return new SloHistory(from, to, step, earliest, points);
    }
}
