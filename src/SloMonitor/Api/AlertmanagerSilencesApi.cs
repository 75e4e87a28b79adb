using System.Globalization;
using System.Text.Json;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// Alertmanager's API v2 for silences, over the same silences as <c>/api/v1/silences</c>, so <c>amtool silence</c>
/// and Grafana work unchanged: <c>GET /api/v2/silences</c> (optional repeated <c>filter</c>), <c>POST</c> to create
/// one or, with its <c>id</c>, to update it as Alertmanager does, <c>GET</c> and <c>DELETE /api/v2/silence/{id}</c>
/// (delete expires it). Errors are JSON strings: 400 naming the field, 404 for an unknown silence (another tenant's
/// included: each caller sees and changes only its tenant's silences), 422 past <c>Alerting:MaxSilencesPerTenant</c>.
/// </summary>
public static class AlertmanagerSilencesApi
{
    private static readonly Dictionary<string, int> StateOrder = new(StringComparer.Ordinal) { ["active"] = 0, ["pending"] = 1, ["expired"] = 2 };

    public static IEndpointRouteBuilder MapAlertmanagerSilencesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var read = app.MapGroup("/api/v2").RequireScope(Scopes.Read);
        read.MapGet("/silences", ListAsync);
        read.MapGet("/silence/{id}", GetAsync);
        var write = app.MapGroup("/api/v2").RequireScope(Scopes.Write);
        write.MapPost("/silences", PostAsync);
        write.MapDelete("/silence/{id}", ExpireAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, SilenceStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!AlertmanagerJson.TryFilter(request.Query["filter"], out var filter, out var error))
        {
            return error!;
        }

        var now = time.GetUtcNow();
        var silences = await store.ListAsync(Principal.TenantOf(request.HttpContext), includeExpired: true, cancellationToken);

        // As Alertmanager: a silence is listed when each filter matcher equals one of its matchers; active ones
        // first (next to end first), then pending (next to start first), then expired (latest first).
        return Results.Ok(silences
            .Where(s => filter.All(f => s.Matchers.Any(m => m.Name == f.Name && m.Operator == f.Operator && m.Value == f.Value)))
            .OrderBy(s => StateOrder[s.StateAt(now)])
            .ThenBy(s => s.StateAt(now) switch { "active" => s.EndsAt.UtcTicks, "pending" => s.StartsAt.UtcTicks, _ => -s.EndsAt.UtcTicks })
            .Select(s => AlertmanagerJson.Silence(s, now)));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, SilenceStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return AlertmanagerJson.BadRequest($"silenceID: '{id}' is not a silence id (a UUID)");
        }

        return await store.GetAsync(Principal.TenantOf(context), guid, cancellationToken) is { } silence
            ? Results.Ok(AlertmanagerJson.Silence(silence, time.GetUtcNow()))
            : AlertmanagerJson.NotFound($"silence {guid} not found");
    }

    private static async Task<IResult> ExpireAsync(string id, HttpContext context, SilenceStore store, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return AlertmanagerJson.BadRequest($"silenceID: '{id}' is not a silence id (a UUID)");
        }

        var tenant = Principal.TenantOf(context);
        var before = await store.GetAsync(tenant, guid, cancellationToken);
        if (await store.ExpireAsync(tenant, guid, cancellationToken) is not { } expired)
        {
            return AlertmanagerJson.NotFound($"silence {guid} not found");
        }

        var now = time.GetUtcNow();
        await audit.RecordAsync(context, "silence.expired", "silence", guid.ToString(), before is null ? null : AlertmanagerJson.Silence(before, now), AlertmanagerJson.Silence(expired, now));
        return Results.Ok();
    }

    private static async Task<IResult> PostAsync(HttpRequest request, SilenceStore store, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return AlertmanagerJson.BadRequest($"body: invalid JSON: {ex.Message}");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return AlertmanagerJson.BadRequest("body: expected a silence object");
        }

        Guid? id = null;
        if (Text(body, "id") is { Length: > 0 } idText)
        {
            if (!Guid.TryParse(idText, out var parsed))
            {
                return AlertmanagerJson.BadRequest($"id: '{idText}' is not a silence id (a UUID)");
            }

            id = parsed;
        }

        if (!TryMatchers(body, out var matchers, out var error)
            || !TryTime(body, "startsAt", required: false, out var startsAt, out error)
            || !TryTime(body, "endsAt", required: true, out var endsAt, out error))
        {
            return error!;
        }

        // Alertmanager's clients send createdBy; what is recorded is who is signed in.
        var createdBy = Principal.NameOf(request.HttpContext);

        try
        {
            var comment = Text(body, "comment") ?? string.Empty;
            var tenant = Principal.TenantOf(request.HttpContext);
            var before = id is { } known ? await store.GetAsync(tenant, known, cancellationToken) : null;
            var silence = id is { } existing
                ? await store.UpdateAsync(tenant, existing, matchers, startsAt, endsAt!.Value, createdBy, comment, cancellationToken)
                : await store.CreateAsync(tenant, matchers, startsAt, endsAt!.Value, createdBy, comment, cancellationToken);
            if (silence is null)
            {
                return AlertmanagerJson.NotFound($"silence {id} not found");
            }

            var now = time.GetUtcNow();
            await audit.RecordAsync(request.HttpContext, before is null ? "silence.created" : "silence.updated", "silence", silence.Id.ToString(),
                before is null ? null : AlertmanagerJson.Silence(before, now), AlertmanagerJson.Silence(silence, now));
            return Results.Ok(new { silenceID = silence.Id.ToString() });
        }
        catch (SilenceLimitException ex)
        {
            return Results.Json(ex.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (ArgumentException ex)
        {
            return AlertmanagerJson.BadRequest(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static bool TryMatchers(JsonElement body, out List<Matcher> matchers, out IResult? error)
    {
        matchers = [];
        error = null;
        if (!body.TryGetProperty("matchers", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            error = AlertmanagerJson.BadRequest("matchers: at least one matcher is required");
            return false;
        }

        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var field = $"matchers[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                error = AlertmanagerJson.BadRequest($"{field}: expected a matcher object {{name, value, isRegex, isEqual}}");
                return false;
            }

            try
            {
                matchers.Add(Matcher.FromParts(
                    Text(item, "name") ?? throw new FormatException("name is required"),
                    Text(item, "value") ?? throw new FormatException("value is required"),
                    Flag(item, "isRegex", false),
                    Flag(item, "isEqual", true)));
            }
            catch (FormatException ex)
            {
                error = AlertmanagerJson.BadRequest($"{field}: {ex.Message}");
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Flag(JsonElement element, string name, bool fallback) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => fallback,
            _ => throw new FormatException($"{name} must be true or false"),
        } : fallback;

    private static bool TryTime(JsonElement body, string name, bool required, out DateTimeOffset? value, out IResult? error)
    {
        value = null;
        error = null;
        if (body.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null)
        {
            if (element.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                error = AlertmanagerJson.BadRequest($"{name}: '{element}' is not an RFC 3339 time");
                return false;
            }

            // Go's zero time means "not set".
            value = parsed.Year <= 1 ? null : parsed.ToUniversalTime();
        }

        if (required && value is null)
        {
            error = AlertmanagerJson.BadRequest($"{name}: is required (RFC 3339)");
            return false;
        }

        return true;
    }
}
