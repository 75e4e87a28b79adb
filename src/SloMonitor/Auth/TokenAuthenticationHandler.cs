using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SloMonitor.Auth;

/// <summary>
/// The <c>Bearer</c> scheme: <c>Authorization: Bearer slom_…</c> on HTTP, the same header as gRPC metadata; any
/// other bearer token is handed to the JWT scheme when <c>Auth:Jwt</c> names an issuer. Why a
/// request is refused is kept for <see cref="AuthFailureResponses"/>, which writes the answer; the token itself is
/// never repeated in an answer or a log.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenValidator validator, AuthOptions auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The key in <c>HttpContext.Items</c> of the reason a token was not accepted.</summary>
    public const string ProblemKey = "slomonitor.auth.problem";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("the Authorization header must be 'Bearer <token>'");
        }

        var token = header.AsMemory("Bearer ".Length).Trim();
        if (auth.Jwt.Enabled && !token.Span.StartsWith(ApiToken.Prefix, StringComparison.Ordinal))
        {
            return await AuthenticateJwtAsync();
        }

        var (check, ticket) = await validator.ValidateAsync(token.ToString(), Context.RequestAborted);
        return check switch
        {
            TokenCheck.Valid => AuthenticateResult.Success(ticket!),
            TokenCheck.Expired => Refuse("the token has expired"),
            TokenCheck.DatabaseUnavailable => Refuse(AuthFailureResponses.DatabaseUnavailable),
            _ => Refuse("the token is not valid (unknown or revoked)"),
        };
    }

    private async Task<AuthenticateResult> AuthenticateJwtAsync()
    {
        var result = await Context.AuthenticateAsync(JwtSetup.Scheme);
        if (!result.Succeeded)
        {
            return Refuse(JwtPrincipal.ProblemOf(result.Failure, auth.Jwt));
        }

        var (principal, problem) = JwtPrincipal.From(result.Principal, auth.Jwt);
        return principal is null ? Refuse(problem!) : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    private AuthenticateResult Refuse(string problem)
    {
        Context.Items[ProblemKey] = problem;
        return AuthenticateResult.Fail(problem);
    }
}

/// <summary>The <c>Auth:Mode=disabled</c> scheme: every request is <c>anonymous</c> with every scope.</summary>
internal sealed class DisabledAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "anonymous";

    private static readonly AuthenticationTicket Ticket =
        new(TokenValidator.PrincipalOf(Name, TokenStore.DefaultTenant, Scopes.All, TokenValidator.Scheme), TokenValidator.Scheme);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.Success(Ticket));
}
