namespace SloMonitor.Api;

/// <summary>
/// <c>GET /api/v1/ui/config</c>, open to all: what the UI's sign-in page offers. With <c>Auth:Jwt:Issuer</c> and
/// <c>Auth:Jwt:UiClientId</c> set, single sign-on through that issuer (the authorization code flow with PKCE, the UI
/// a public client redirected back to <c>/ui/signin-callback</c>); otherwise only a pasted token. Names no secret.
/// </summary>
internal static class UiConfigApi
{
    public static IEndpointRouteBuilder MapUiConfigApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var oidc = Oidc(app.ServiceProvider.GetRequiredService<IConfiguration>());
        app.MapGet("/api/v1/ui/config", () => Results.Json(new { oidc })).AllowAnonymous();
        return app;
    }

    /// <summary>The issuer, client id and scopes the UI signs in with; null when single sign-on is not configured.</summary>
    internal static object? Oidc(IConfiguration configuration)
    {
        var issuer = configuration["Auth:Jwt:Issuer"];
        var clientId = configuration["Auth:Jwt:UiClientId"];
        if (string.IsNullOrEmpty(issuer) || string.IsNullOrEmpty(clientId))
        {
            return null;
        }

        return new { issuer, clientId, scope = configuration["Auth:Jwt:UiScope"] is { Length: > 0 } scope ? scope : "openid profile" };
    }

    /// <summary>The origin of the issuer, which the UI's scripts must be allowed to reach (discovery and token endpoint).</summary>
    internal static string? IssuerOrigin(IConfiguration configuration) =>
        Oidc(configuration) is not null && Uri.TryCreate(configuration["Auth:Jwt:Issuer"], UriKind.Absolute, out var issuer)
            ? issuer.GetLeftPart(UriPartial.Authority)
            : null;
}
