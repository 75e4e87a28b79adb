using System.Globalization;
using System.Text.Json;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Parsing;
using SloMonitor.Storage;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// <c>/api/v1/slos</c>: list (filter by <c>service</c> and <c>label=name=value</c>) and read, from the status snapshot
/// the evaluation loop publishes (each status says when it was evaluated: <c>evaluatedAt</c>); history and burn-down
/// for charts, computed from the rings; <c>PUT</c>/<c>DELETE</c> of definitions stored in PostgreSQL, a new or changed
/// SLO evaluated at once. SLOs from files are read-only here (409). Latencies are in seconds.
/// </summary>
public static class SlosApi
{
    public static IEndpointRouteBuilder MapSlosApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/slos");
        group.MapGet("", List).RequireScope(Scopes.Read);
        group.MapGet("/{name}", Get).RequireScope(Scopes.Read);
        group.MapPut("/{name}", PutAsync).RequireScope(Scopes.Write);
        group.MapDelete("/{name}", DeleteAsync).RequireScope(Scopes.Write);
        group.MapGet("/{name}/history", History).RequireScope(Scopes.Read);
        group.MapGet("/{name}/burndown", Burndown).RequireScope(Scopes.Read);
        return app;
    }

    private static IResult List(HttpRequest request, SloEngine engine)
    {
        var service = request.Query["service"].ToString();
        var labels = new List<(string Name, string Value)>();
        foreach (var label in request.Query["label"])
        {
            var equals = label?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (equals <= 0)
            {
                return Problem("label", $"expected name=value (e.g. label=team=payments), found '{label}'");
            }

            labels.Add((label![..equals], label[(equals + 1)..]));
        }

        if (request.Query["format"].ToString() is { Length: > 0 } format && format != "json")
        {
            return SloExportApi.List(format, engine.Definitions.Where(d => (service.Length == 0 || d.Service == service) && labels.TrueForAll(l => d.Labels.TryGetValue(l.Name, out var v) && v == l.Value)));
        }

        // Counters only by default: percentiles cost a histogram read per window, so they are asked for.
        var latencyText = request.Query["latency"].ToString();
        var withLatency = false;
        if (latencyText.Length > 0 && !bool.TryParse(latencyText, out withLatency))
        {
            return Problem("latency", $"expected true or false, found '{latencyText}'");
        }

        return Results.Json(ListBody(engine.Status, service, labels, withLatency));
    }

    /// <summary>The list's entries, read from <paramref name="snapshot"/> (no evaluation), filtered as the query asks.</summary>
    internal static List<object> ListBody(SloStatusSnapshot snapshot, string service, List<(string Name, string Value)> labels, bool withLatency)
    {
        var result = new List<object>();
        foreach (var slo in snapshot.All)
        {
            var definition = slo.Definition;
            if ((service.Length > 0 && definition.Service != service) || !labels.TrueForAll(l => definition.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            {
                continue;
            }

            var overall = withLatency ? slo.WithLatency().Overall : slo.Overall;
            result.Add(new
            {
                name = definition.Name,
                service = definition.Service,
                description = definition.Description,
                objective = definition.Objective,
                window = definition.Window.Text,
                windows = definition.Windows.Select(w => w.Text),
                labels = definition.Labels,
                alerting = new { rules = Rules(slo), budgetExhaustion = BudgetExhaustion(definition), budgetRemaining = BudgetRemaining(definition) },
                status = new
                {
                    state = overall.State,
                    sli = overall.Status.Windows.TryGetValue(definition.Window.Text, out var sloWindow) ? sloWindow.Sli : null,
                    windows = overall.Status.Windows,
                    errorBudget = overall.Status.ErrorBudget,
                    errorBudgets = overall.Status.Budgets,
                    alerts = overall.ActiveAlerts,
                    evaluatedAt = overall.EvaluatedAt,
                    problems = overall.Status.Problems,
                },
            });
        }

        return result;
    }

    private static IResult Get(string name, HttpRequest request, SloEngine engine, SloCatalog catalog)
    {
        if (request.Query["format"].ToString() is { Length: > 0 } format && format != "json")
        {
            return SloExportApi.One(name, format, engine.Find(name));
        }

        return engine.Status.Find(name) is { } slo ? Results.Json(Detail(slo, catalog.FileOf(name))) : NotFound(name);
    }

    private static async Task<IResult> PutAsync(string name, HttpRequest request, SloCatalog catalog, SloDefinitionStore store, SloEngine engine, SloOptions options, AuditLog audit, ILogger<SloCatalog> logger, CancellationToken cancellationToken)
    {
        if (catalog.FileOf(name) is { } file)
        {
            return Results.Json(new { error = $"SLO '{name}' is defined in the file {Path.GetFileName(file)}; change it there" }, statusCode: StatusCodes.Status409Conflict);
        }

        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        var parsed = SloParser.ParseJson(body, name);
        if (!parsed.IsValid)
        {
            return Results.Json(
                new
                {
                    error = "invalid SLO definition",
                    errors = parsed.Errors.Select(e => new { field = e.Field, message = e.Message }),
                },
                statusCode: StatusCodes.Status400BadRequest);
        }

        if (engine.Find(name) is null && engine.Count >= options.MaxSlosPerTenant)
        {
            return TenantCap(engine.Tenant, engine.Count + 1, options.MaxSlosPerTenant);
        }

        var actor = Principal.NameOf(request.HttpContext);
        var before = engine.Find(name) is { } previous ? SloDefinitionJson.Write(previous) : null;
        var after = SloDefinitionJson.Write(parsed.Definitions[0]);
        var created = await store.UpsertAsync(
            engine.Tenant, name, body, engine.Time.GetUtcNow(), actor,
            audit: isNew => audit.Entry(request.HttpContext, isNew ? "slo.created" : "slo.changed", "slo", name, isNew ? null : before, after),
            cancellationToken: cancellationToken);
        var kept = catalog.PutApi(parsed.Definitions[0]);
        logger.LogInformation("SLO {Slo} {Change} by {Actor}", name, created ? "created" : "changed", actor);

        // The detail, and whether the change (of the SLI, grouping or window) starts the SLO's series afresh.
        var detail = JsonSerializer.SerializeToNode(Detail(engine.Status.Find(name)!, null), JsonSerializerOptions.Web)!.AsObject();
        detail["historyRestarts"] = !created && !kept;
        detail["updatedBy"] = actor;
        return created ? Results.Json(detail, statusCode: StatusCodes.Status201Created) : Results.Json(detail);
    }

    /// <summary>The answer to a change that would take a tenant past <c>Slos:MaxSlosPerTenant</c>.</summary>
    internal static IResult TenantCap(string tenant, int count, int cap) =>
        Results.Json(
            new { error = $"tenant '{tenant}' would run {count} SLOs, more than its cap of {cap} (Slos:MaxSlosPerTenant); nothing was changed", limit = "Slos:MaxSlosPerTenant" },
            statusCode: StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> DeleteAsync(string name, HttpContext context, SloCatalog catalog, SloDefinitionStore store, SloEngine engine, AuditLog audit, ILogger<SloCatalog> logger, CancellationToken cancellationToken)
    {
        if (catalog.FileOf(name) is { } file)
        {
            return Results.Json(new { error = $"SLO '{name}' is defined in the file {Path.GetFileName(file)}; remove it there" }, statusCode: StatusCodes.Status409Conflict);
        }

        var before = engine.Find(name) is { } previous ? SloDefinitionJson.Write(previous) : null;
        var deleted = await store.DeleteAsync(engine.Tenant, name, audit.Entry(context, "slo.deleted", "slo", name, before, null), cancellationToken);
        catalog.RemoveApi(name);
        if (deleted)
        {
            logger.LogInformation("SLO {Slo} deleted by {Actor}", name, Principal.NameOf(context));
        }

        return deleted ? Results.NoContent() : NotFound(name);
    }

    private static IResult History(string name, HttpRequest request, SloEngine engine)
    {
        var now = engine.Time.GetUtcNow();
        if (!TryInstant(request.Query["to"], now, out var to))
        {
            return Problem("to", "expected an RFC 3339 time or Unix seconds");
        }

        if (!TryInstant(request.Query["from"], to - TimeSpan.FromHours(6), out var from) || from > to)
        {
            return Problem("from", "expected an RFC 3339 time or Unix seconds, not after 'to'");
        }

        var defaultStep = TimeSpan.FromSeconds(Math.Max(10, Math.Ceiling((to - from).TotalSeconds / 360)));
        var stepText = request.Query["step"].ToString();
        var step = defaultStep;
        if (stepText.Length > 0 && !TryStep(stepText, out step))
        {
            return Problem("step", "expected a positive duration such as 1m or a number of seconds");
        }

        if ((to - from) / step > SloHistory.MaxPoints)
        {
            return Problem("step", $"too small: at most {SloHistory.MaxPoints} points per request");
        }

        var history = engine.History(name, from, to, step);
        if (history is null)
        {
            return NotFound(name);
        }

        var body = new Dictionary<string, object?>
        {
            ["from"] = history.From,
            ["to"] = history.To,
            ["step"] = history.Step.TotalSeconds,
            ["earliest"] = history.Earliest,
        };
        if (history.LatencyWindow is { } latencyWindow)
        {
            // Latency SLIs: each point's p50/p95/p99 over the latencyWindow seconds ending at it.
            body["latencyWindow"] = latencyWindow.TotalSeconds;
            body["points"] = history.Points.Select(p => new { time = p.Time, sli = p.Sli, burnRates = p.BurnRates, errorBudgetRemainingRatio = p.BudgetRemainingRatio, latency = p.Latency });
        }
        else
        {
            body["points"] = history.Points.Select(p => new { time = p.Time, sli = p.Sli, burnRates = p.BurnRates, errorBudgetRemainingRatio = p.BudgetRemainingRatio });
        }

        return Results.Json(body);
    }

    /// <summary>The error budget of the SLO window ending now, spent point by point from the window's start.</summary>
    private static IResult Burndown(string name, HttpRequest request, SloEngine engine)
    {
        var points = SloBurndown.DefaultPoints;
        var pointsText = request.Query["points"].ToString();
        if (pointsText.Length > 0 && (!int.TryParse(pointsText, NumberStyles.None, CultureInfo.InvariantCulture, out points) || points < 1 || points > SloHistory.MaxPoints))
        {
            return Problem("points", $"expected a whole number from 1 to {SloHistory.MaxPoints}");
        }

        if (engine.Burndown(name, points) is not { } burndown)
        {
            return NotFound(name);
        }

        return Results.Json(new
        {
            from = burndown.From,
            to = burndown.To,
            step = burndown.Step.TotalSeconds,
            budgetEvents = burndown.BudgetEvents,
            points = burndown.Points.Select(p => new { time = p.Time, badEvents = p.BadEvents, errorBudgetRemainingRatio = p.BudgetRemainingRatio }),
        });
    }

    private static object Detail(EvaluatedSlo slo, string? file)
    {
        var (overall, groups) = slo.WithLatency();
        var definition = overall.Definition;
        return new
        {
            name = definition.Name,
            service = definition.Service,
            description = definition.Description,
            objective = definition.Objective,
            window = definition.Window.Text,
            windows = definition.Windows.Select(w => w.Text),
            timeZone = definition.Windows.FirstOrDefault(w => w.IsCalendarMonth)?.TimeZone?.Id,
            labels = definition.Labels,
            runbookUrl = definition.RunbookUrl,
            dashboardUrl = definition.DashboardUrl,
            groupBy = definition.GroupBy,
            source = file is null ? "api" : "file",
            sli = Sli(definition.Sli),
            policy = definition.Policy is { } policy ? new { freezeBelow = policy.FreezeBelow, freezeWhilePaging = policy.FreezeWhilePaging } : null,
            alerting = new
            {
                minEvents = definition.Alerting.MinEventsFor(definition.Sli),
                resolveAfter = DurationText.Format(definition.Alerting.ResolveAfter),
                defaultRules = definition.Alerting.UsesDefaultRules,
                rules = Rules(slo),
                noData = definition.Alerting.NoData is { } noData ? new { after = DurationText.Format(noData.After), severity = noData.Severity } : null,
                budgetExhaustion = BudgetExhaustion(definition),
                budgetRemaining = BudgetRemaining(definition),
            },
            status = Status(overall.Status),
            groups = definition.GroupBy.Count == 0 ? null : groups.Select(g => new { labels = g.GroupLabels, status = Status(g.Status) }),
        };
    }

    /// <summary>The burn-rate pairs as they run (the default policy's windows scaled to the SLO period), with thresholds.</summary>
    private static IEnumerable<object> Rules(EvaluatedSlo slo) => slo.Rules.Select(r => new
    {
        severity = r.Severity,
        longWindow = DurationText.Format(r.LongWindow),
        shortWindow = DurationText.Format(r.ShortWindow),
        threshold = r.BurnRate,
        budgetShare = r.BudgetShare,
    });

    /// <summary>The forecast alerts; <c>within</c> is null when the horizon is the end of the SLO window.</summary>
    private static IEnumerable<object> BudgetExhaustion(SloDefinition definition) => definition.Alerting.BudgetExhaustion.Select(a => new
    {
        severity = a.Severity,
        window = DurationText.Format(a.Window),
        within = a.Within is { } within ? DurationText.Format(within) : null,
    });

    private static IEnumerable<object> BudgetRemaining(SloDefinition definition) =>
        definition.Alerting.BudgetRemaining.Select(a => new { severity = a.Severity, below = a.Below });

    private static object Status(SloStatus status) => new
    {
        state = status.State,
        windows = status.Windows,
        errorBudget = status.ErrorBudget,
        errorBudgets = status.Budgets,
        alerts = status.Alerts,
        evaluatedAt = status.EvaluatedAt,
        problems = status.Problems,
    };

    private static Dictionary<string, object> Sli(SliDefinition sli)
    {
        var fields = new Dictionary<string, object>
        {
            ["kind"] = sli.Kind.ToString().ToLowerInvariant(),
            ["source"] = sli.Source.ToString().ToLowerInvariant(),
        };
        void Put(string key, object? value)
        {
            if (value is not null)
            {
                fields[key] = value;
            }
        }

        Put("match", sli.Match);
        Put("good", sli.Good);
        Put("bad", sli.Bad);
        Put("total", sli.Total);
        Put("metric", sli.Metric);
        Put("threshold", sli.Threshold);
        Put("percentile", sli.Percentile);
        if (sli.IsTimeslice)
        {
            Put("timeslice", DurationText.Format(sli.SliceLength));
            Put("lateness", DurationText.Format(sli.SliceLateness));
        }

        if (sli.Kind == SliKind.Gauge)
        {
            Put("aggregation", sli.Aggregation.ToString().ToLowerInvariant());
        }

        if (sli.Kind == SliKind.Composite)
        {
            fields["combine"] = sli.Combine.ToString().ToLowerInvariant();
            fields["parts"] = sli.Parts.Select(p => new { slo = p.Slo, weight = p.Weight }).ToList();
        }

        return fields;
    }

    private static bool TryInstant(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds >= 0 && seconds < 1e11)
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static bool TryStep(string text, out TimeSpan step)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0 && seconds < 1e9)
        {
            step = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return DurationText.TryParse(text, out step) && step > TimeSpan.Zero;
    }

    private static IResult NotFound(string name) =>
        Results.Json(new { error = $"no SLO named '{name}'" }, statusCode: StatusCodes.Status404NotFound);

    private static IResult Problem(string parameter, string message) =>
        Results.Json(new { error = $"{parameter}: {message}", field = parameter }, statusCode: StatusCodes.Status400BadRequest);
}
