using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace SloMonitor.Auth;

/// <summary>
/// Turns a validated JWT's claims into the service's principal (name, tenant, scopes), the same shape a token of
/// its own gives, so that policies, the audit log and the timeline need not know where it came from.
/// </summary>
internal static class JwtPrincipal
{
    public static (ClaimsPrincipal? Principal, string? Problem) From(ClaimsPrincipal jwt, JwtOptions options)
    {
        var name = jwt.FindFirstValue(options.NameClaim) ?? jwt.FindFirstValue("sub");
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, $"the token carries neither a '{options.NameClaim}' nor a 'sub' claim");
        }

        var tenant = TokenStore.DefaultTenant;
        if (options.TenantClaim.Length > 0)
        {
            tenant = jwt.FindFirstValue(options.TenantClaim) ?? "";
            if (tenant.Length == 0)
            {
                return (null, $"the token carries no '{options.TenantClaim}' claim naming its tenant");
            }
        }

        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in jwt.FindAll(options.ScopeClaim))
        {
            foreach (var value in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (options.Map.Count > 0)
                {
                    if (options.Map.TryGetValue(value, out var mapped))
                    {
                        scopes.UnionWith(mapped);
                    }
                }
                else if (Scopes.All.Contains(value, StringComparer.Ordinal))
                {
                    scopes.Add(value);
                }
            }
        }

        return (TokenValidator.PrincipalOf(name, tenant, scopes, JwtSetup.Scheme), null);
    }

    /// <summary>Why the JWT handler refused a token, in words that never repeat the token.</summary>
    public static string ProblemOf(Exception? failure, JwtOptions options) => failure switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenInvalidAudienceException => $"the token is not issued for the audience '{options.Audience}'",
        SecurityTokenInvalidIssuerException => $"the token is not issued by '{options.Issuer}'",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify with the issuer's keys",
        InvalidOperationException or HttpRequestException or IOException => "the token cannot be checked: the issuer's keys cannot be read",
        _ => "the token is not valid (not a JWT of the configured issuer)",
    };
}
