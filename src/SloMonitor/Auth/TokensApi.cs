using System.Globalization;
using System.Text.Json;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Auth;

/// <summary>
/// <c>/api/v1/tokens</c> (admin scope): create (<c>POST {name, scopes, expiresIn?}</c>; the answer carries the
/// secret, this once), list, and revoke (<c>DELETE /{id|name}</c>). <c>GET /api/v1/whoami</c> (any valid token)
/// names the caller, its tenant and scopes, for the UI.
/// </summary>
internal static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/tokens").RequireScope(Scopes.Admin);
        admin.MapGet("", ListAsync);
        admin.MapPost("", CreateAsync);
        admin.MapDelete("/{idOrName}", RevokeAsync);
        app.MapGet("/api/v1/whoami", (HttpContext context) => Results.Ok(new
        {
            name = Principal.NameOf(context),
            tenant = Principal.TenantOf(context),
            scopes = Principal.ScopesOf(context.User),
        })).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, TokenStore store, CancellationToken cancellationToken)
    {
        var all = context.Request.Query["all"].ToString() is "true" or "1";
        return Results.Ok((await store.ListAsync(Principal.TenantOf(context), all, cancellationToken)).Select(ToJson));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, TokenStore store, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Problem("body", $"invalid JSON: {ex.Message}");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Problem("body", "expected a JSON object");
        }

        var name = body.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!.Trim() : "";
        if (TokenNames.Check(name) is { } nameError)
        {
            return Problem("name", nameError);
        }

        var scopesText = body.TryGetProperty("scopes", out var s) && s.ValueKind == JsonValueKind.Array
            ? string.Join(',', s.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : "?"))
            : null;
        var (scopes, scopesError) = Scopes.Parse(scopesText);
        if (scopesError is not null)
        {
            return Problem("scopes", scopesText is null ? "is required: a list such as [\"read\", \"respond\"]" : scopesError);
        }

        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = null;
        if (body.TryGetProperty("expiresIn", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            if (e.ValueKind != JsonValueKind.String || !DurationText.TryParse(e.GetString(), out var lifetime) || lifetime <= TimeSpan.Zero)
            {
                return Problem("expiresIn", "must be a duration such as 30d or 12h");
            }

            expiresAt = now + lifetime;
        }

        try
        {
            var (token, secret) = (await store.CreateAsync(Principal.TenantOf(context), name, scopes, expiresAt, Principal.NameOf(context), now, cancellationToken: cancellationToken))!.Value;
            await audit.RecordAsync(context, "token.created", "token", token.Id.ToString(CultureInfo.InvariantCulture), null, ToJson(token));
            return Results.Created($"/api/v1/tokens/{token.Id.ToString(CultureInfo.InvariantCulture)}", new { token = secret, info = ToJson(token) });
        }
        catch (ArgumentException ex)
        {
            return Results.Json(new { error = ex.Message.Split(" (Parameter", 2)[0], field = "name" }, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static async Task<IResult> RevokeAsync(string idOrName, HttpContext context, TokenStore store, TokenValidator validator, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.RevokeAsync(Principal.TenantOf(context), idOrName, time.GetUtcNow(), cancellationToken) is not { } token)
        {
            return Results.Json(new { error = $"no token '{idOrName}' to revoke (by id or name)" }, statusCode: StatusCodes.Status404NotFound);
        }

        validator.Forget(token.Id);
        await audit.RecordAsync(context, "token.revoked", "token", token.Id.ToString(CultureInfo.InvariantCulture), ToJson(token with { RevokedAt = null }), ToJson(token));
        return Results.Ok(ToJson(token));
    }

    public static object ToJson(TokenInfo token) => new
    {
        id = token.Id,
        name = token.Name,
        tenant = token.Tenant,
        hint = token.Hint,
        scopes = token.Scopes,
        createdAt = token.CreatedAt,
        createdBy = token.CreatedBy,
        expiresAt = token.ExpiresAt,
        lastUsedAt = token.LastUsedAt,
        revokedAt = token.RevokedAt,
    };

    private static IResult Problem(string field, string message) =>
        Results.Json(new { error = $"{field}: {message}", field }, statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>What a token's name may be: it is what the timeline and silences record as the actor.</summary>
internal static class TokenNames
{
    public const int MaxLength = 100;

    public static string? Check(string name) =>
        name.Length == 0 ? "is required"
        : name.Length > MaxLength ? $"is longer than {MaxLength} characters"
        : name.Any(char.IsControl) ? "must not contain control characters"
        : long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? "must not be a number (numbers are token ids)"
        : null;
}
