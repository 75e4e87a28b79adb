using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Reports;

/// <summary>
/// One SLO over a report's range [<see cref="SloReportRow.From"/>, <see cref="SloReportRow.To"/>): its events as the
/// series hold them, budget adjustments taken out. <see cref="Unit"/> says what the counts are: events, or judged
/// time slices for a gauge SLI. <see cref="DataFrom"/> is the earliest instant the series still hold (the longest
/// SLO window plus <c>Slos:HistoryRetention</c> back); a range that starts before it is <see cref="Complete"/> false.
/// </summary>
public sealed record SloReportRow(
    string Slo,
    string Service,
    string? Team,
    double Objective,
    string Unit,
    long TotalEvents,
    long BadEvents,
    double? Sli,
    bool? ObjectiveMet,
    double? BudgetConsumedRatio,
    int Adjustments,
    double AdjustedSeconds,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset DataFrom,
    bool Complete);

internal static class SloReportReader
{
    public static SloReportRow Read(CompiledSlo slo, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        var definition = slo.Definition;
        if (to > now)
        {
            to = now;
        }

        var dataFrom = now - slo.Tracks.Retention;
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = Math.Max(fromMs, to.ToUnixTimeMilliseconds());
        var track = slo.Tracks.Overall;
        var reading = ExcludedRanges.Apply(slo, track, track.Read(fromMs, toMs, withLatency: false), fromMs, toMs);
        var bad = reading.Total - reading.Good;
        double? sli = reading.Total == 0 ? null : (double)reading.Good / reading.Total;
        double? consumed = reading.Total == 0 || definition.AllowedErrorRatio <= 0 ? null : bad / (definition.AllowedErrorRatio * reading.Total);
        var (adjustments, adjustedMs) = Overlap([.. slo.Excluded, .. slo.SelectorExcluded.Select(r => r.Range)], fromMs, toMs);
        return new SloReportRow(
            definition.Name,
            definition.Service,
            definition.Labels.GetValueOrDefault("team"),
            definition.Objective,
            definition.Sli.Kind == SliKind.Gauge ? "slices" : "events",
            reading.Total,
            bad,
            sli is { } s ? SloEvaluator.Round(s) : null,
            sli is null ? null : sli >= definition.Target,
            consumed is { } c ? SloEvaluator.Round(c) : null,
            adjustments,
            adjustedMs / 1000.0,
            from,
            to,
            dataFrom,
            from >= dataFrom);
    }

    private static (int Count, long Milliseconds) Overlap(ExcludedRange[] ranges, long fromMs, long toMs)
    {
        var count = 0;
        long milliseconds = 0;
        foreach (var range in ranges)
        {
            var overlap = Math.Min(toMs, range.ToMs) - Math.Max(fromMs, range.FromMs);
            if (overlap > 0)
            {
                count++;
                milliseconds += overlap;
            }
        }

        return (count, milliseconds);
    }
}
