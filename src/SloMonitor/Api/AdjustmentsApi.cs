using SloMonitor.Auth;
using System.Globalization;
using System.Text.Json;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Selectors;
using SloMonitor.Storage;

namespace SloMonitor.Api;

/// <summary>
/// Budget adjustments of an SLO: <c>POST /api/v1/slos/{name}/adjustments</c> with <c>{from, to, reason}</c> (and
/// optionally <c>recurrence</c> and <c>incident</c>) takes a time range, or a range repeated every period, out of every
/// reading of the SLO (windows, burn rates, budget, history, reports), <c>GET</c> lists them and
/// <c>DELETE …/{id}</c> removes one. Stored in PostgreSQL; the engine applies them from the next evaluation on.
/// </summary>
internal static class AdjustmentsApi
{
    public const int MaxReasonLength = 1000;
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    public static IEndpointRouteBuilder MapAdjustmentsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/slos/{name}/adjustments");
        group.MapGet("", ListAsync).RequireScope(Scopes.Read);
        group.MapPost("", CreateAsync).RequireScope(Scopes.Write);
        group.MapDelete("/{id:long}", DeleteAsync).RequireScope(Scopes.Write);
        return app;
    }

    private static async Task<IResult> ListAsync(string name, SloEngine engine, BudgetAdjustmentStore store, CancellationToken cancellationToken)
    {
        if (engine.Find(name) is null)
        {
            return NotFound(name);
        }

        return Results.Json((await store.ListAsync(engine.Tenant, name, cancellationToken)).Select(ToJson));
    }

    private static async Task<IResult> CreateAsync(
        string name, HttpRequest request, SloEngine engine, BudgetAdjustmentStore store, BudgetAdjustmentLoader loader, IncidentStore incidents, SloOptions options, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (engine.Find(name) is null)
        {
            return NotFound(name);
        }

        var (body, invalid) = await ApiRequests.ReadObjectAsync(request, "a JSON object {from, to, reason}", cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        string? selector = null;
        if (body.TryGetProperty("selector", out var selectorValue) && selectorValue.ValueKind != JsonValueKind.Null)
        {
            var definition = engine.Find(name)!;
            if (selectorValue.ValueKind != JsonValueKind.String)
            {
                return Problem("selector", "must be a selector such as peer.service=\"bank\"");
            }

            if (SelectorParser.TryParse(selectorValue.GetString()!, false, out var syntax) is not { Matchers.Length: > 0 } parsed)
            {
                return Problem("selector", $"is not a selector such as peer.service=\"bank\": {syntax ?? "it matches nothing"}");
            }

            if (parsed.Matchers.Any(m => !definition.GroupBy.Contains(m.Name)))
            {
                return Problem("selector", definition.GroupBy.Count == 0
                    ? "needs an SLO with groupBy: only the events of groups are kept apart, so only they can be taken out afterwards"
                    : $"may only match the SLO's groupBy attributes ({string.Join(", ", definition.GroupBy)}), whose events are kept apart");
            }

            selector = selectorValue.GetString();
        }

        if (Time(body, "from") is not { } from)
        {
            return Problem("from", "is required (RFC 3339)");
        }

        if (Time(body, "to") is not { } to)
        {
            return Problem("to", "is required (RFC 3339)");
        }

        if (to <= from)
        {
            return Problem("to", "must be after from");
        }

        if (to - from > MaxRange)
        {
            return Problem("to", $"is more than {MaxRange.TotalDays:0} days after from");
        }

        var reason = body.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()!.Trim() : "";
        if (reason.Length == 0)
        {
            return Problem("reason", "is required: why these events do not count against the budget");
        }

        if (reason.Length > MaxReasonLength)
        {
            return Problem("reason", $"is longer than {MaxReasonLength} characters");
        }

        var (recurrence, badRecurrence) = Recurrence(body, from, to);
        if (badRecurrence is not null)
        {
            return badRecurrence;
        }

        long? incidentId = null;
        if (body.TryGetProperty("incident", out var incident) && incident.ValueKind != JsonValueKind.Null)
        {
            if (incident.ValueKind != JsonValueKind.Number || !incident.TryGetInt64(out var id) || id <= 0)
            {
                return Problem("incident", "must be the id of an incident (a positive integer)");
            }

            if (await incidents.GetAsync(engine.Tenant, id, cancellationToken) is null)
            {
                return Problem("incident", $"there is no incident {id}");
            }

            incidentId = id;
        }

        var author = Principal.NameOf(request.HttpContext);
        var ranges = recurrence?.Count(from) ?? 1;
        var existing = await store.CountRangesAsync(engine.Tenant, name, cancellationToken);
        if (existing + ranges > options.MaxAdjustmentsPerSlo)
        {
            return Problem(recurrence is null ? "body" : "recurrence",
                $"the SLO would have {existing + ranges} adjusted ranges (each occurrence of a recurring adjustment counts), more than the limit {options.MaxAdjustmentsPerSlo} (Slos:MaxAdjustmentsPerSlo)");
        }

        var created = await store.CreateAsync(
            new BudgetAdjustment(0, name, from, to, reason, author, time.GetUtcNow()) { Recurrence = recurrence, IncidentId = incidentId, Selector = selector, Tenant = engine.Tenant },
            cancellationToken);
        await loader.ReloadAsync(engine.Tenant, name, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "slo.adjustment.created", "slo", name, null, ToJson(created));
        return Results.Created($"/api/v1/slos/{Uri.EscapeDataString(name)}/adjustments/{created.Id}", ToJson(created));
    }

    private static async Task<IResult> DeleteAsync(string name, long id, HttpRequest request, SloEngine engine, BudgetAdjustmentStore store, BudgetAdjustmentLoader loader, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var author = Principal.NameOf(request.HttpContext);

        if (!await store.DeleteAsync(engine.Tenant, name, id, author, time.GetUtcNow(), cancellationToken))
        {
            return Results.Json(new { error = $"no adjustment {id} of SLO '{name}'" }, statusCode: StatusCodes.Status404NotFound);
        }

        await loader.ReloadAsync(engine.Tenant, name, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "slo.adjustment.deleted", "slo", name, new { id }, null);
        return Results.NoContent();
    }

    private static object ToJson(BudgetAdjustment a) => new
    {
        id = a.Id,
        slo = a.Slo,
        from = a.From,
        to = a.To,
        reason = a.Reason,
        author = a.Author,
        createdAt = a.CreatedAt,
        recurrence = a.Recurrence is { } r ? new { every = DurationText.Format(r.Every), until = r.Until, occurrences = r.Count(a.From) } : null,
        selector = a.Selector,
        incident = a.IncidentId,
        incidentUrl = a.IncidentId is { } id ? $"/ui/incidents/{id}" : null,
    };

    /// <summary>
    /// <c>recurrence: {every: "7d", until: RFC 3339}</c> or <c>{every, count}</c>: the range repeated every period
    /// (at least its own length and a minute) while its start is before <c>until</c>, at most 400 days on.
    /// </summary>
    private static (AdjustmentRecurrence? Recurrence, IResult? Problem) Recurrence(JsonElement body, DateTimeOffset from, DateTimeOffset to)
    {
        if (!body.TryGetProperty("recurrence", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return (null, Problem("recurrence", "must be an object {every, until} or {every, count}"));
        }

        var everyText = value.TryGetProperty("every", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (!DurationText.TryParse(everyText, out var every))
        {
            return (null, Problem("recurrence.every", "is required: a duration such as 7d or 24h"));
        }

        if (every < TimeSpan.FromMinutes(1) || every < to - from)
        {
            return (null, Problem("recurrence.every", $"must be at least a minute and at least the range's length ({DurationText.Format(to - from)})"));
        }

        var hasCount = value.TryGetProperty("count", out var c) && c.ValueKind != JsonValueKind.Null;
        var until = Time(value, "until");
        if (hasCount == until.HasValue)
        {
            return (null, Problem("recurrence.until", "give either until (RFC 3339) or count, not both and not neither"));
        }

        if (hasCount)
        {
            if (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out var count) || count < 1)
            {
                return (null, Problem("recurrence.count", "must be a positive integer"));
            }

            until = from + (every * count);
        }

        if (until <= from)
        {
            return (null, Problem("recurrence.until", "must be after from"));
        }

        if (until - from > MaxRange)
        {
            return (null, Problem(hasCount ? "recurrence.count" : "recurrence.until", $"reaches more than {MaxRange.TotalDays:0} days after from"));
        }

        return (new AdjustmentRecurrence(every, until!.Value), null);
    }

    private static DateTimeOffset? Time(JsonElement body, string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;

    private static IResult NotFound(string name) =>
        Results.Json(new { error = $"no SLO named '{name}'" }, statusCode: StatusCodes.Status404NotFound);

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
