using System.Globalization;
using System.Text.Json;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// <c>/api/v1/silences</c>: create (<c>POST</c>), list (<c>GET</c>, optional <c>state=active|pending|expired</c>),
/// read one, and expire (<c>DELETE /{id}</c>). Matchers are Alertmanager's objects
/// <c>{name, value, isRegex, isEqual}</c> or strings such as <c>slo="checkout"</c>. <c>createdBy</c> is the
/// authenticated principal (the token's name). A silence belongs to the caller's tenant and mutes only its alerts;
/// another tenant's silence answers 404. A tenant holds at most <c>Alerting:MaxSilencesPerTenant</c> silences not
/// yet expired (422 past it, naming the cap).
/// </summary>
public static class SilencesApi
{
    private static readonly string[] States = ["active", "pending", "expired"];

    public static IEndpointRouteBuilder MapSilencesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/silences");
        group.MapGet("", ListAsync).RequireScope(Scopes.Read);
        group.MapGet("/{id:guid}", GetAsync).RequireScope(Scopes.Read);
        group.MapPost("", CreateAsync).RequireScope(Scopes.Write);
        group.MapDelete("/{id:guid}", ExpireAsync).RequireScope(Scopes.Write);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, SilenceStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var state = request.Query["state"].ToString();
        if (state.Length > 0 && !States.Contains(state, StringComparer.Ordinal))
        {
            return Problem("state", $"'{state}' is not one of {string.Join(", ", States)}");
        }

        var now = time.GetUtcNow();
        var silences = await store.ListAsync(Principal.TenantOf(request.HttpContext), includeExpired: true, cancellationToken);
        return Results.Ok(silences.Where(s => state.Length == 0 || s.StateAt(now) == state).Select(s => ToJson(s, now)));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, SilenceStore store, TimeProvider time, CancellationToken cancellationToken) =>
        await store.GetAsync(Principal.TenantOf(context), id, cancellationToken) is { } silence
            ? Results.Ok(ToJson(silence, time.GetUtcNow()))
            : Results.Json(new { error = $"silence {id} not found" }, statusCode: StatusCodes.Status404NotFound);

    private static async Task<IResult> ExpireAsync(Guid id, HttpContext context, SilenceStore store, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = Principal.TenantOf(context);
        var before = await store.GetAsync(tenant, id, cancellationToken);
        if (await store.ExpireAsync(tenant, id, cancellationToken) is not { } silence)
        {
            return Results.Json(new { error = $"silence {id} not found" }, statusCode: StatusCodes.Status404NotFound);
        }

        var now = time.GetUtcNow();
        await audit.RecordAsync(context, "silence.expired", "silence", id.ToString(), before is null ? null : ToJson(before, now), ToJson(silence, now));
        return Results.Ok(ToJson(silence, now));
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, SilenceStore store, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, invalid) = await ApiRequests.ReadObjectAsync(request, "a JSON object", cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (!body.TryGetProperty("matchers", out var matchersJson) || matchersJson.ValueKind != JsonValueKind.Array)
        {
            return Problem("matchers", "is required: a list of matchers");
        }

        var matchers = new List<Matcher>();
        var index = 0;
        foreach (var item in matchersJson.EnumerateArray())
        {
            var field = $"matchers[{index++}]";
            try
            {
                matchers.Add(item.ValueKind switch
                {
                    JsonValueKind.String => Matcher.Parse(item.GetString()!),
                    JsonValueKind.Object => Matcher.FromParts(
                        Text(item, "name") ?? throw new FormatException("name is required"),
                        Text(item, "value") ?? throw new FormatException("value is required"),
                        Flag(item, "isRegex", false),
                        Flag(item, "isEqual", true)),
                    _ => throw new FormatException("expected a matcher object or string"),
                });
            }
            catch (FormatException ex)
            {
                return Problem(field, ex.Message);
            }
        }

        if (!TryTime(body, "startsAt", out var startsAt, out var startsError))
        {
            return startsError!;
        }

        if (!TryTime(body, "endsAt", out var endsAt, out var endsError))
        {
            return endsError!;
        }

        if (endsAt is null)
        {
            return Problem("endsAt", "is required (RFC 3339)");
        }

        // Who created a silence is who is signed in; a createdBy in the body is not taken.
        var createdBy = Principal.NameOf(request.HttpContext);
        try
        {
            var silence = await store.CreateAsync(Principal.TenantOf(request.HttpContext), matchers, startsAt, endsAt.Value, createdBy, Text(body, "comment") ?? string.Empty, cancellationToken);
            await audit.RecordAsync(request.HttpContext, "silence.created", "silence", silence.Id.ToString(), null, ToJson(silence, time.GetUtcNow()));
            return Results.Created($"/api/v1/silences/{silence.Id}", ToJson(silence, time.GetUtcNow()));
        }
        catch (SilenceLimitException ex)
        {
            return Results.Json(new { error = ex.Message, field = "silences" }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (ArgumentException ex)
        {
            var field = ex.Message.Split(':', 2)[0];
            return Results.Json(new { error = ex.Message.Split(" (Parameter", 2)[0], field }, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static object ToJson(Silence silence, DateTimeOffset now) => new
    {
        id = silence.Id,
        matchers = silence.Matchers.Select(m => new { name = m.Name, value = m.Value, isRegex = m.IsRegex, isEqual = m.IsEqual }),
        startsAt = silence.StartsAt,
        endsAt = silence.EndsAt,
        createdBy = silence.CreatedBy,
        comment = silence.Comment,
        createdAt = silence.CreatedAt,
        updatedAt = silence.UpdatedAt,
        status = new { state = silence.StateAt(now) },
    };

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

    private static bool TryTime(JsonElement body, string name, out DateTimeOffset? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!body.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed.ToUniversalTime();
            return true;
        }

        error = Problem(name, "is not an RFC 3339 time");
        return false;
    }

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
