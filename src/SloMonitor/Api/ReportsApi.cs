using System.Globalization;
using System.Text;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Auth;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Reports;
using SloMonitor.Storage;

namespace SloMonitor.Api;

/// <summary>
/// Compliance reports: <c>GET /api/v1/reports?from=&amp;to=</c> (or <c>?month=2026-11</c>, a UTC calendar month; the
/// month so far by default), optionally <c>service=</c> and <c>team=</c> (the SLOs' <c>team</c> label). One row per
/// SLO — events, SLI, objective met, budget consumed, adjustments, alerts and incidents with their times to
/// acknowledge and resolve — and a summary per team. JSON, or CSV for <c>Accept: text/csv</c> or <c>format=csv</c>.
/// A range of whole months also reads the months the series no longer reach from their stored summaries.
/// </summary>
internal static class ReportsApi
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    private static readonly string[] CsvColumns =
    [
        "slo", "service", "team", "objective", "unit", "totalEvents", "badEvents", "sli", "objectiveMet", "budgetConsumedRatio",
        "adjustments", "adjustedSeconds", "alerts", "incidents", "ackMedianSeconds", "ackWorstSeconds", "resolveMedianSeconds",
        "resolveWorstSeconds", "from", "to", "complete",
    ];

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/v1/reports", GetAsync).RequireScope(Scopes.Read);
        return app;
    }

    private static async Task<IResult> GetAsync(
        HttpRequest request, SloEngine engine, IncidentStatistics statistics, SloMonthSummaryStore months, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var query = request.Query;
        var (from, to, problem) = Range(query["month"], query["from"], query["to"], now);
        if (problem is not null)
        {
            return problem;
        }

        var csv = query["format"] == "csv" || (query["format"].Count == 0 && request.GetTypedHeaders().Accept.Any(a => a.MediaType == "text/csv"));
        if (query["format"] is { Count: > 0 } format && format != "csv" && format != "json")
        {
            return ApiRequests.Problem("format", $"'{format}' is not a report format: json or csv");
        }

        var (service, team) = (NullIfEmpty(query["service"]), NullIfEmpty(query["team"]));
        var rows = engine.Report(from, to, service, team);
        var warnings = new List<string>();
        if (MonthlyReport.IsWholeMonths(from, to, now))
        {
            // Whole months: those the series no longer reach, and SLOs deleted since, come from the stored summaries.
            try
            {
                var stored = await months.ReadAsync(engine.Tenant, from, to, cancellationToken);
                rows = MonthlyReport.Assemble(rows, (f, t) => engine.Report(f, t, service, team), stored, from, to, service, team);
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
            {
                warnings.Add("stored monthly summaries are missing: the database cannot be reached right now");
            }
        }

        IReadOnlyDictionary<string, SloIncidentSummary>? incidents = null;
        try
        {
            incidents = await statistics.PerSloAsync(engine.Tenant, from, to, cancellationToken);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            warnings.Add("alerts and incidents are missing: the database cannot be reached right now");
        }

        if (rows.Any(r => !r.Complete))
        {
            warnings.Add("the range starts before the data some SLOs still hold (see dataFrom): their figures cover less than the range");
        }

        if (csv)
        {
            return Results.Text(Csv(rows, incidents), "text/csv; charset=utf-8");
        }

        return Results.Json(new
        {
            from,
            to = to > now ? now : to,
            generatedAt = now,
            warnings,
            slos = rows.Select(r => Row(r, incidents)),
            teams = Teams(rows, incidents),
        });
    }

    private static (DateTimeOffset From, DateTimeOffset To, IResult? Problem) Range(string? month, string? fromText, string? toText, DateTimeOffset now)
    {
        if (!string.IsNullOrEmpty(month))
        {
            if (!string.IsNullOrEmpty(fromText) || !string.IsNullOrEmpty(toText))
            {
                return (default, default, ApiRequests.Problem("month", "cannot be combined with from and to"));
            }

            if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start))
            {
                return (default, default, ApiRequests.Problem("month", $"'{month}' is not a month (YYYY-MM)"));
            }

            var first = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero);
            return (first, first.AddMonths(1), null);
        }

        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        DateTimeOffset from = monthStart, to = now;
        if (!string.IsNullOrEmpty(fromText) && !DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
        {
            return (default, default, ApiRequests.Problem("from", $"'{fromText}' is not a time (RFC 3339)"));
        }

        if (!string.IsNullOrEmpty(toText) && !DateTimeOffset.TryParse(toText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out to))
        {
            return (default, default, ApiRequests.Problem("to", $"'{toText}' is not a time (RFC 3339)"));
        }

        if (to <= from)
        {
            return (default, default, ApiRequests.Problem("to", "must be after from"));
        }

        if (to - from > MaxRange)
        {
            return (default, default, ApiRequests.Problem("from", $"the range is longer than {MaxRange.TotalDays:0} days"));
        }

        return (from, to, null);
    }

    private static object Row(SloReportRow row, IReadOnlyDictionary<string, SloIncidentSummary>? incidents)
    {
        var summary = Summary(row, incidents);
        return new
        {
            slo = row.Slo,
            service = row.Service,
            team = row.Team,
            objective = row.Objective,
            unit = row.Unit,
            totalEvents = row.TotalEvents,
            badEvents = row.BadEvents,
            sli = row.Sli,
            objectiveMet = row.ObjectiveMet,
            budgetConsumedRatio = row.BudgetConsumedRatio,
            adjustments = new { ranges = row.Adjustments, seconds = row.AdjustedSeconds },
            alerts = summary?.Alerts,
            incidents = summary is null ? null : new
            {
                count = summary.Incidents,
                timeToAcknowledge = new { medianSeconds = summary.AcknowledgeMedianSeconds, worstSeconds = summary.AcknowledgeWorstSeconds },
                timeToResolve = new { medianSeconds = summary.ResolveMedianSeconds, worstSeconds = summary.ResolveWorstSeconds },
            },
            dataFrom = row.DataFrom,
            complete = row.Complete,
        };
    }

    /// <summary>The incident figures of a row: zeros when the database answered and has none, null when it could not be read.</summary>
    private static SloIncidentSummary? Summary(SloReportRow row, IReadOnlyDictionary<string, SloIncidentSummary>? incidents) =>
        incidents is null ? null : incidents.GetValueOrDefault(row.Slo) ?? new SloIncidentSummary(row.Slo, 0, 0, null, null, null, null);

    private static IEnumerable<object> Teams(IReadOnlyList<SloReportRow> rows, IReadOnlyDictionary<string, SloIncidentSummary>? incidents) =>
        rows.GroupBy(r => r.Team ?? "")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new
            {
                team = g.Key.Length == 0 ? null : g.Key,
                slos = g.Count(),
                met = g.Count(r => r.ObjectiveMet == true),
                missed = g.Count(r => r.ObjectiveMet == false),
                noData = g.Count(r => r.ObjectiveMet is null),
                alerts = incidents is null ? (int?)null : g.Sum(r => Summary(r, incidents)!.Alerts),
                incidents = incidents is null ? (int?)null : g.Sum(r => Summary(r, incidents)!.Incidents),
            });

    private static string Csv(IReadOnlyList<SloReportRow> rows, IReadOnlyDictionary<string, SloIncidentSummary>? incidents)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', CsvColumns).Append("\r\n");
        foreach (var row in rows)
        {
            var summary = Summary(row, incidents);
            string?[] cells =
            [
                Text(row.Slo), Text(row.Service), Text(row.Team), Number(row.Objective), row.Unit, Number(row.TotalEvents), Number(row.BadEvents),
                Number(row.Sli), Bool(row.ObjectiveMet), Number(row.BudgetConsumedRatio), Number(row.Adjustments), Number(row.AdjustedSeconds),
                Number(summary?.Alerts), Number(summary?.Incidents), Number(summary?.AcknowledgeMedianSeconds), Number(summary?.AcknowledgeWorstSeconds),
                Number(summary?.ResolveMedianSeconds), Number(summary?.ResolveWorstSeconds), Time(row.From), Time(row.To), Bool(row.Complete),
            ];
            text.AppendJoin(',', cells).Append("\r\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// A text cell as RFC 4180 writes it (quoted when it holds a comma, quote or line break), and prefixed with an
    /// apostrophe when a spreadsheet would read it as a formula (=, +, -, @ first).
    /// </summary>
    internal static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Number(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    private static string Bool(bool? value) => value is { } v ? (v ? "true" : "false") : "";

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
