using SloMonitor.Auth;
using System.Globalization;
using System.Text.Json;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;

namespace SloMonitor.Api;

/// <summary>
/// Budget adjustments of an SLO: <c>POST /api/v1/slos/{name}/adjustments</c> with <c>{from, to, reason}</c> takes a
/// time range out of every reading of the SLO (windows, burn rates, budget), <c>GET</c> lists them and
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

        return Results.Json((await store.ListAsync(name, cancellationToken)).Select(ToJson));
    }

    private static async Task<IResult> CreateAsync(
        string name, HttpRequest request, SloEngine engine, BudgetAdjustmentStore store, BudgetAdjustmentLoader loader, SloOptions options, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
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

        foreach (var unsupported in new[] { "selector", "recurrence" })
        {
            if (body.TryGetProperty(unsupported, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return Problem(unsupported, "is not supported: an adjustment takes out a whole time range of the SLO's events");
            }
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

        var author = Principal.NameOf(request.HttpContext);

        if (await store.CountAsync(name, cancellationToken) >= options.MaxAdjustmentsPerSlo)
        {
            return Problem("body", $"the SLO has {options.MaxAdjustmentsPerSlo} adjustments, the limit (Slos:MaxAdjustmentsPerSlo); delete some first");
        }

        var created = await store.CreateAsync(name, from, to, reason, author, time.GetUtcNow(), cancellationToken);
        await loader.ReloadAsync(name, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "slo.adjustment.created", "slo", name, null, ToJson(created));
        return Results.Created($"/api/v1/slos/{Uri.EscapeDataString(name)}/adjustments/{created.Id}", ToJson(created));
    }

    private static async Task<IResult> DeleteAsync(string name, long id, HttpRequest request, BudgetAdjustmentStore store, BudgetAdjustmentLoader loader, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var author = Principal.NameOf(request.HttpContext);

        if (!await store.DeleteAsync(name, id, author, time.GetUtcNow(), cancellationToken))
        {
            return Results.Json(new { error = $"no adjustment {id} of SLO '{name}'" }, statusCode: StatusCodes.Status404NotFound);
        }

        await loader.ReloadAsync(name, cancellationToken);
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
    };

    private static DateTimeOffset? Time(JsonElement body, string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;

    private static IResult NotFound(string name) =>
        Results.Json(new { error = $"no SLO named '{name}'" }, statusCode: StatusCodes.Status404NotFound);

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
