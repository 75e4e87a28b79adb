using System.Text.Json;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// <c>/api/v1/incidents</c>: list (filter by <c>state</c>, <c>service</c>, <c>slo</c>), read one with its alert and
/// timeline, and acknowledge, resolve or comment: only the caller's tenant's incidents (another tenant's answers 404,
/// as one that does not exist). The actor recorded is the authenticated principal (the token's
/// name); an <c>actor</c> in the body is ignored. A change that loses a race, or is not allowed in the current state, answers 409 with
/// the current incident; an optional <c>version</c> in the body makes the change conditional on it.
/// </summary>
public static class IncidentsApi
{
    private static readonly string[] States = [IncidentStates.Triggered, IncidentStates.Acknowledged, IncidentStates.Resolved];

    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/incidents");
        group.MapGet("", ListAsync).RequireScope(Scopes.Read);
        group.MapGet("/{id:long}", GetAsync).RequireScope(Scopes.Read);
        group.MapPost("/{id:long}/ack", (long id, HttpRequest request, IncidentStore store, AuditLog audit, CancellationToken cancellationToken) =>
            ChangeAsync(request, audit, "incident.acknowledged", id,
                (actor, version) => store.AcknowledgeAsync(Principal.TenantOf(request.HttpContext), id, actor, version, cancellationToken), cancellationToken)).RequireScope(Scopes.Respond);
        group.MapPost("/{id:long}/resolve", (long id, HttpRequest request, IncidentStore store, AuditLog audit, CancellationToken cancellationToken) =>
            ChangeAsync(request, audit, "incident.resolved", id,
                (actor, version) => store.ResolveAsync(Principal.TenantOf(request.HttpContext), id, actor, version, cancellationToken), cancellationToken)).RequireScope(Scopes.Respond);
        group.MapPost("/{id:long}/comments", CommentAsync).RequireScope(Scopes.Respond);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IncidentStore store, CancellationToken cancellationToken)
    {
        var state = Query(request, "state");
        if (state is not null && !States.Contains(state, StringComparer.Ordinal))
        {
            return Problem("state", $"'{state}' is not one of {string.Join(", ", States)}");
        }

        return Results.Ok(await store.ListAsync(Principal.TenantOf(request.HttpContext), state, Query(request, "service"), Query(request, "slo"), cancellationToken));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext context, IncidentStore store, CancellationToken cancellationToken) =>
        await store.GetDetailAsync(Principal.TenantOf(context), id, cancellationToken) is { } incident
            ? Results.Ok(incident)
            : Results.Json(new { error = $"incident {id} not found" }, statusCode: StatusCodes.Status404NotFound);

    private static async Task<IResult> ChangeAsync(HttpRequest request, AuditLog audit, string action, long id, Func<string, int?, Task<IncidentChange>> change, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await ReadBodyAsync(request, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var actor = Principal.NameOf(request.HttpContext);
        int? version = null;
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("version", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var parsed))
            {
                return Problem("version", "must be an integer");
            }

            version = parsed;
        }

        var result = await change(actor, version);
        if (result.Status == IncidentChangeStatus.Changed)
        {
            await audit.RecordAsync(request.HttpContext, action, "incident", id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, result.Current);
        }

        return result.Status switch
        {
            IncidentChangeStatus.Changed => Results.Ok(result.Current),
            IncidentChangeStatus.NotFound => Results.Json(new { error = result.Error }, statusCode: StatusCodes.Status404NotFound),
            _ => Results.Json(new { error = result.Error, current = result.Current }, statusCode: StatusCodes.Status409Conflict),
        };
    }

    private static async Task<IResult> CommentAsync(long id, HttpRequest request, IncidentStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await ReadBodyAsync(request, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var actor = Principal.NameOf(request.HttpContext);
        var text = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : string.Empty;
        if (text.Length == 0)
        {
            return Problem("text", "is required");
        }

        if (text.Length > 10_000)
        {
            return Problem("text", "is longer than 10000 characters");
        }

        if (await store.AddCommentAsync(Principal.TenantOf(request.HttpContext), id, actor, text, cancellationToken) is not { } entry)
        {
            return Results.Json(new { error = $"incident {id} not found" }, statusCode: StatusCodes.Status404NotFound);
        }

        await audit.RecordAsync(request.HttpContext, "incident.commented", "incident", id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, entry);
        return Results.Created($"/api/v1/incidents/{id}", entry);
    }

    private static async Task<(JsonElement Body, IResult? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return (default, null);
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, Problem("body", "expected a JSON object"));
        }
        catch (JsonException ex)
        {
            return (default, Problem("body", $"invalid JSON: {ex.Message}"));
        }
    }

    private static string? Query(HttpRequest request, string name) =>
        request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
