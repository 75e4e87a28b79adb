using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace SloMonitor.Auth;

/// <summary>
/// The JWT bearer scheme, used by <see cref="TokenAuthenticationHandler"/> for a bearer token that is not one of the
/// service's own (<c>slom_…</c>): signature from the issuer's JWKS (found through its OpenID discovery document, and
/// re-read when a token names a key not seen yet), issuer, audience and lifetime checked.
/// </summary>
internal static class JwtSetup
{
    public const string Scheme = "Jwt";

    public static void Add(AuthenticationBuilder authentication, JwtOptions jwt)
    {
        if (!jwt.Enabled)
        {
            return;
        }

        authentication.AddJwtBearer(Scheme, o =>
        {
            o.Authority = jwt.Issuer;
            o.Audience = jwt.Audience;
            if (jwt.MetadataAddress.Length > 0)
            {
                o.MetadataAddress = jwt.MetadataAddress;
            }

            o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
            o.MapInboundClaims = false;
            o.IncludeErrorDetails = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                ClockSkew = jwt.ClockSkew,
                NameClaimType = jwt.NameClaim,
            };

            // Answers are written by AuthFailureResponses for both kinds of token.
            o.Events = new JwtBearerEvents
            {
                OnChallenge = context =>
                {
                    context.HandleResponse();
                    return Task.CompletedTask;
                },
            };
        });
    }
}
