using SloMonitor.Auth;
using System.Globalization;
using System.Text.Json;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Gates;
using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;

namespace SloMonitor.Api;

/// <summary>
/// The deploy gate: <c>GET /api/v1/gates/{service}</c> answers 200 with <c>allow</c> and every reason, so pipelines
/// branch on the body; overrides are created with <c>POST …/overrides</c> and removed with <c>DELETE
/// …/overrides/{id}</c>. Decisions read the published status snapshot; overrides are stored in PostgreSQL.
/// </summary>
internal static class GatesApi
{
    public const int MaxReasonLength = 1000;

    public static IEndpointRouteBuilder MapGatesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/v1/gates/{service}");
        group.MapGet("", GetAsync).RequireScope(Scopes.Read);
        group.MapPost("/overrides", CreateOverrideAsync).RequireScope(Scopes.Write);
        group.MapDelete("/overrides/{id:long}", RemoveOverrideAsync).RequireScope(Scopes.Write);
        return app;
    }

    private static async Task<IResult> GetAsync(string service, SloEngine engine, GateOverrideStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var overrides = await store.ActiveAsync(engine.Tenant, service, now, cancellationToken);
        return DeployGate.Decide(engine.Status, service, overrides, now) is { } decision ? Results.Json(ToJson(decision)) : UnknownService(service);
    }

    private static async Task<IResult> CreateOverrideAsync(string service, HttpRequest request, SloEngine engine, GateOverrideStore store, SloOptions options, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!engine.Status.All.Any(s => s.Definition.Service == service))
        {
            return UnknownService(service);
        }

        var (body, invalid) = await ApiRequests.ReadObjectAsync(request, "a JSON object {reason, expiresAt | duration}", cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var reason = Text(body, "reason")?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            return Problem("reason", "is required: why the release may go out despite the policy");
        }

        if (reason.Length > MaxReasonLength)
        {
            return Problem("reason", $"is longer than {MaxReasonLength} characters");
        }

        var author = Principal.NameOf(request.HttpContext);

        var now = time.GetUtcNow();
        var hasExpiry = body.TryGetProperty("expiresAt", out var expiresNode) && expiresNode.ValueKind != JsonValueKind.Null;
        var hasDuration = body.TryGetProperty("duration", out var durationNode) && durationNode.ValueKind != JsonValueKind.Null;
        if (hasExpiry == hasDuration)
        {
            return Problem("expiresAt", "give exactly one of 'expiresAt' (RFC 3339) or 'duration' (e.g. 2h)");
        }

        DateTimeOffset expiresAt;
        if (hasExpiry)
        {
            if (expiresNode.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(expiresNode.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out expiresAt))
            {
                return Problem("expiresAt", "is not an RFC 3339 time");
            }

            if (expiresAt <= now)
            {
                return Problem("expiresAt", "is not in the future");
            }
        }
        else
        {
            if (durationNode.ValueKind != JsonValueKind.String || !DurationText.TryParse(durationNode.GetString()!, out var duration) || duration <= TimeSpan.Zero)
            {
                return Problem("duration", "expected a positive duration such as 30m or 2h");
            }

            expiresAt = now + duration;
        }

        if (expiresAt - now > options.MaxGateOverride)
        {
            return Problem(hasExpiry ? "expiresAt" : "duration", $"is more than {DurationText.Format(options.MaxGateOverride)} away (Slos:MaxGateOverride)");
        }

        var created = await store.CreateAsync(engine.Tenant, service, reason, author, now, expiresAt.ToUniversalTime(), cancellationToken);
        await audit.RecordAsync(request.HttpContext, "gate.override.created", "gate", service, null, Override(created));
        return Results.Created($"/api/v1/gates/{Uri.EscapeDataString(service)}/overrides/{created.Id}", Override(created));
    }

    private static async Task<IResult> RemoveOverrideAsync(string service, long id, HttpRequest request, SloEngine engine, GateOverrideStore store, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var author = Principal.NameOf(request.HttpContext);
        if (!await store.RemoveAsync(engine.Tenant, service, id, author, time.GetUtcNow(), cancellationToken))
        {
            return Results.Json(new { error = $"no active override {id} of service '{service}'" }, statusCode: StatusCodes.Status404NotFound);
        }

        await audit.RecordAsync(request.HttpContext, "gate.override.removed", "gate", service, new { id }, null);
        return Results.NoContent();
    }

    internal static object ToJson(GateDecision decision) => new
    {
        service = decision.Service,
        allow = decision.Allow,
        overridden = decision.Overridden,
        evaluatedAt = decision.EvaluatedAt,
        reasons = decision.Reasons.Select(r => new { slo = r.Slo, kind = r.Kind, message = r.Message }),
        slos = decision.Slos.Select(s => new
        {
            name = s.Name,
            state = s.State,
            window = s.Window,
            remainingRatio = s.RemainingRatio,
            policy = s.Policy is { } p ? new { freezeBelow = p.FreezeBelow, freezeWhilePaging = p.FreezeWhilePaging } : null,
            blocking = s.Blocking,
            firingAlerts = s.FiringAlerts.Select(a => new { kind = a.Kind, severity = a.Severity, longWindow = a.LongWindow, shortWindow = a.ShortWindow, since = a.Since }),
        }),
        overrides = decision.Overrides.Select(Override),
    };

    private static object Override(GateOverride o) => new
    {
        id = o.Id,
        service = o.Service,
        reason = o.Reason,
        author = o.Author,
        createdAt = o.CreatedAt,
        expiresAt = o.ExpiresAt,
    };

    private static IResult UnknownService(string service) =>
        Results.Json(new { error = $"service: no SLO of service '{service}' is known", field = "service" }, statusCode: StatusCodes.Status404NotFound);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
