using System.Text.Json.Serialization;
using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// One point of an SLO's history: the SLI over the SLO window, burn rates per window, budget left and, for latency
/// SLIs, p50/p95/p99 over the <see cref="SloHistory.LatencyWindow"/> ending at <see cref="Time"/> (left out of JSON
/// otherwise).
/// </summary>
public sealed record SloHistoryPoint(
    DateTimeOffset Time,
    double? Sli,
    IReadOnlyDictionary<string, double?> BurnRates,
    double? BudgetRemainingRatio,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LatencySummary? Latency = null);

/// <summary>
/// The chart series of an SLO, recomputed from the in-memory rings. <see cref="Earliest"/> is how far back they
/// reach: the SLO window plus one day of history by default (<c>Slos:HistoryRetention</c>) and no further.
/// </summary>
public sealed record SloHistory(DateTimeOffset From, DateTimeOffset To, TimeSpan Step, DateTimeOffset Earliest, IReadOnlyList<SloHistoryPoint> Points)
{
    /// <summary>The most points one history holds.</summary>
    public const int MaxPoints = 2000;

    /// <summary>The shortest window a point's latency percentiles cover (the status's "5m" window).</summary>
    public static readonly TimeSpan MinLatencyWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// For latency SLIs, the window each point's percentiles cover, ending at the point: the larger of 5 minutes and
    /// the step, so that points spaced wider than 5 minutes leave no time out. Null for other SLIs.
    /// </summary>
    public TimeSpan? LatencyWindow { get; init; }

    /// <summary>The latency window for a step: the larger of <see cref="MinLatencyWindow"/> and the step.</summary>
    public static TimeSpan LatencyWindowFor(TimeSpan step) => step > MinLatencyWindow ? step : MinLatencyWindow;
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

        TimeSpan? latencyWindow = definition.Sli.Kind == SliKind.Latency ? SloHistory.LatencyWindowFor(step) : null;
        var latencyMs = (long)(latencyWindow?.TotalMilliseconds ?? 0);
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
                var startMs = tMs - (long)slo.Windows[i].TotalMilliseconds;
                var reading = ExcludedRanges.Apply(slo, track, track.Read(startMs, tMs, withLatency: false), startMs, tMs);
                var burn = BurnRate.Of(reading.Good, reading.Total, allowed);
                burnRates[slo.WindowNames[i]] = double.IsNaN(burn) ? null : burn;
                if (slo.Windows[i] == TimeSpan.FromHours(1))
                {
                    burn1h = burn;
                }
            }

            var (fromMs, period) = SloEvaluator.SloWindowBounds(definition.Window, t);
            var window = ExcludedRanges.Apply(slo, track, track.Read(fromMs, tMs + 1, withLatency: false), fromMs, tMs + 1);
            var budget = SloEvaluator.Budget(definition, window, period, t, burn1h);
            double? sli = window.Total == 0 ? null : (double)window.Good / window.Total;
            var latency = latencyWindow is null ? null : track.LatencyBetween(tMs - latencyMs, tMs + 1);
            points.Add(new SloHistoryPoint(t, sli, burnRates, budget.RemainingRatio, latency));
        }

        return new SloHistory(from, to, step, earliest, points) { LatencyWindow = latencyWindow };
    }
}
