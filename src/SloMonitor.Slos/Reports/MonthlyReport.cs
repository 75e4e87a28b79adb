using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Reports;

/// <summary>
/// Reports over whole UTC calendar months that reach further back than the in-memory series. Each month is read from
/// the series when they reach back to its start, and otherwise from its stored summary (<c>slo_month_summary</c>),
/// if there is one; the months are then added up. SLOs deleted since keep their stored months' rows.
/// </summary>
internal static class MonthlyReport
{
    /// <summary>True when [from, to) starts at a month's start and ends at one (or now, for the month so far).</summary>
    public static bool IsWholeMonths(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now) =>
        IsMonthStart(from) && (IsMonthStart(to) || to >= now);

    public static DateTimeOffset MonthOf(DateTimeOffset t) => new(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A report row as the summary of <paramref name="month"/> stores it.</summary>
    public static SloMonthSummary ToSummary(SloReportRow row, DateTimeOffset month) => new(
        row.Slo, month, row.Service, row.Team, row.Objective, row.Unit, row.TotalEvents, row.BadEvents, row.Adjustments,
        row.AdjustedSeconds, row.DataFrom, row.To, row.Complete);

    /// <summary>
    /// The rows of a whole-months report: <paramref name="inMemory"/> (over the whole range) where complete, else the
    /// months added up as described above. <paramref name="readMonth"/> reads one month from the series.
    /// </summary>
    public static IReadOnlyList<SloReportRow> Assemble(
        IReadOnlyList<SloReportRow> inMemory,
        Func<DateTimeOffset, DateTimeOffset, IReadOnlyList<SloReportRow>> readMonth,
        IReadOnlyList<SloMonthSummary> stored,
        DateTimeOffset from,
        DateTimeOffset to,
        string? service,
        string? team)
    {
        var storedByKey = stored.ToDictionary(s => (s.Slo, s.Month));
        var months = new List<DateTimeOffset>();
        for (var m = from; m < to; m = m.AddMonths(1))
        {
            months.Add(m);
        }

        var perMonth = new Dictionary<DateTimeOffset, Dictionary<string, SloReportRow>>();
        Dictionary<string, SloReportRow> Month(DateTimeOffset m) =>
            perMonth.TryGetValue(m, out var rows) ? rows : perMonth[m] = readMonth(m, m.AddMonths(1) < to ? m.AddMonths(1) : to).ToDictionary(r => r.Slo);

        var result = new List<SloReportRow>();
        foreach (var row in inMemory)
        {
            if (row.Complete)
            {
                result.Add(row);
                continue;
            }

            var parts = new List<Part>();
            foreach (var m in months)
            {
                // The series when they hold the whole month, or when no summary reaches further back than they do.
                var memory = Month(m).GetValueOrDefault(row.Slo);
                var summary = storedByKey.GetValueOrDefault((row.Slo, m));
                var useMemory = memory is { Complete: true } || summary is null
                    || (!summary.Complete && memory is not null && memory.DataFrom <= summary.DataFrom);
                parts.Add(useMemory ? Part.Of(memory) : Part.Of(summary));
            }

            result.Add(Combine(row.Slo, row.Service, row.Team, row.Objective, row.Unit, row.From, row.To, parts));
        }

        // SLOs no longer defined: what their stored months said.
        var known = inMemory.Select(r => r.Slo).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in stored.Where(s => !known.Contains(s.Slo)).GroupBy(s => s.Slo))
        {
            var last = gone.MaxBy(s => s.Month)!;
            if ((service is null || last.Service == service) && (team is null || last.Team == team))
            {
                var parts = months.Select(m => Part.Of(gone.FirstOrDefault(s => s.Month == m))).ToList();
                result.Add(Combine(last.Slo, last.Service, last.Team, last.Objective, last.Unit, from, gone.Max(s => s.To), parts));
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Slo, b.Slo));
        return result;
    }

    private static SloReportRow Combine(string slo, string service, string? team, double objective, string unit, DateTimeOffset from, DateTimeOffset to, List<Part> parts)
    {
        long total = 0, bad = 0;
        var adjustments = 0;
        double adjustedSeconds = 0;
        var dataFrom = DateTimeOffset.MaxValue;
        var complete = true;
        foreach (var part in parts)
        {
            total += part.Total;
            bad += part.Bad;
            adjustments += part.Adjustments;
            adjustedSeconds += part.AdjustedSeconds;
            complete &= part.Complete;
            if (part.DataFrom < dataFrom)
            {
                dataFrom = part.DataFrom;
            }
        }

        var allowed = 1.0 - (objective / 100.0);
        double? sli = total == 0 ? null : (double)(total - bad) / total;
        double? consumed = total == 0 || allowed <= 0 ? null : bad / (allowed * total);
        return new SloReportRow(
            slo, service, team, objective, unit, total, bad, sli is { } s ? SloEvaluator.Round(s) : null, sli is null ? null : sli >= objective / 100.0,
            consumed is { } c ? SloEvaluator.Round(c) : null, adjustments, adjustedSeconds, from, to, dataFrom == DateTimeOffset.MaxValue ? from : dataFrom, complete);
    }

    private static bool IsMonthStart(DateTimeOffset t) => t == MonthOf(t.ToUniversalTime());

    /// <summary>One month's contribution; a month with no figures at all is not complete.</summary>
    private readonly record struct Part(long Total, long Bad, int Adjustments, double AdjustedSeconds, DateTimeOffset DataFrom, bool Complete)
    {
        public static Part Of(SloReportRow? row) => row is null
            ? new Part(0, 0, 0, 0, DateTimeOffset.MaxValue, false)
            : new Part(row.TotalEvents, row.BadEvents, row.Adjustments, row.AdjustedSeconds, row.DataFrom, row.Complete);

        public static Part Of(SloMonthSummary? summary) => summary is null
            ? new Part(0, 0, 0, 0, DateTimeOffset.MaxValue, false)
            : new Part(summary.TotalEvents, summary.BadEvents, summary.Adjustments, summary.AdjustedSeconds, summary.DataFrom, summary.Complete);
    }
}
