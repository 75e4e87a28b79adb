using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SloMonitor.Testing;

/// <summary>
/// An OIDC issuer of the test's own on 127.0.0.1: its discovery document and JWKS served by a tiny Kestrel app, and
/// JWTs signed with the RSA key it holds (or with a key nobody published, to test a bad signature). For the UI's
/// single sign-on it also runs the authorization code flow with PKCE for one public client: its authorization
/// endpoint signs <see cref="LoginClaims"/> in at once (no login page) or refuses, and its token endpoint checks the
/// code, the redirect address and the verifier before it hands out an access token.
/// </summary>
internal sealed class LoopbackOidcIssuer : IAsyncDisposable
{
    private const string KeyId = "test-key-1";
    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);

    private LoopbackOidcIssuer(WebApplication app, string issuer)
    {
        _app = app;
        Issuer = issuer;
    }

    public string Issuer { get; }

    /// <summary>The client id of the UI's public client.</summary>
    public const string UiClientId = "slomonitor-ui";

    /// <summary>The claims of the access token a sign-in gets.</summary>
    public Dictionary<string, object> LoginClaims { get; } = new() { ["preferred_username"] = "alice", ["scope"] = "read" };

    /// <summary>When set, the authorization endpoint answers <c>access_denied</c>.</summary>
    public bool RefuseLogins { get; set; }

    /// <summary>How many authorization codes were traded for a token.</summary>
    public int CodesRedeemed;

    private readonly ConcurrentDictionary<string, (string Challenge, string RedirectUri)> _codes = new();

    /// <summary>How many times the JWKS was fetched.</summary>
    public int KeyReads;

    public static async Task<LoopbackOidcIssuer> StartAsync()
    {
        var port = TestService.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var issuer = new LoopbackOidcIssuer(app, $"http://127.0.0.1:{port}");
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer.Issuer,
            ["jwks_uri"] = issuer.Issuer + "/jwks",
            ["authorization_endpoint"] = issuer.Issuer + "/authorize",
            ["token_endpoint"] = issuer.Issuer + "/token",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer.KeyReads);
            var parameters = issuer._key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64Url.EncodeToString(parameters.Modulus), e = Base64Url.EncodeToString(parameters.Exponent) },
                },
            });
        });
        app.MapGet("/authorize", (HttpRequest request) => issuer.Authorize(request));
        app.MapPost("/token", (HttpRequest request) => issuer.TokenAsync(request));
        app.Use(async (context, next) =>
        {
            context.Response.Headers.AccessControlAllowOrigin = "*"; // the UI calls discovery and the token endpoint from its own origin
            await next(context);
        });
        await app.StartAsync();
        return issuer;
    }

    /// <summary>A JWT signed with the published key (or, with <paramref name="foreignKey"/>, one under the same key id that was never published).</summary>
    public string Sign(
        IDictionary<string, object> claims, string? audience = "slomonitor", string? issuer = null, DateTime? expires = null, bool foreignKey = false)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        using var other = foreignKey ? RSA.Create(2048) : null;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = expiry.AddMinutes(-20),
            NotBefore = expiry.AddMinutes(-20),
            Expires = expiry,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(other ?? _key) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        var redirect = query["redirect_uri"].ToString();
        if (query["client_id"] != UiClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256" || !redirect.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
        {
            return Results.BadRequest("not a code flow with PKCE of the UI client");
        }

        var state = Uri.EscapeDataString(query["state"].ToString());
        if (RefuseLogins)
        {
            return Results.Redirect($"{redirect}?error=access_denied&error_description={Uri.EscapeDataString("access_denied: the login was refused")}&state={state}");
        }

        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        _codes[code] = (query["code_challenge"].ToString(), redirect);
        return Results.Redirect($"{redirect}?code={code}&state={state}");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || form["client_id"] != UiClientId || !_codes.TryRemove(form["code"].ToString(), out var issued))
        {
            return Results.Json(new { error = "invalid_grant", error_description = "unknown code" }, statusCode: 400);
        }

        var challenge = Base64Url.EncodeToString(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"].ToString())));
        if (challenge != issued.Challenge || form["redirect_uri"] != issued.RedirectUri)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "the verifier or the redirect address does not match" }, statusCode: 400);
        }

        Interlocked.Increment(ref CodesRedeemed);
        return Results.Json(new { access_token = Sign(new Dictionary<string, object>(LoginClaims)), token_type = "Bearer", expires_in = 600 });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
    }
}
