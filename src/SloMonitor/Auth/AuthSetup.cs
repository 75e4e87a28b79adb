using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace SloMonitor.Auth;

/// <summary>Registers the authentication scheme, the scope policies and the token services in one place.</summary>
internal static class AuthSetup
{
    public static AuthOptions Add(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<TokenStore>();
        builder.Services.AddSingleton<TokenValidator>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddHostedService<TokenRefreshLoop>();
        var authentication = builder.Services.AddAuthentication(TokenValidator.Scheme);
        if (options.Disabled)
        {
            authentication.AddScheme<AuthenticationSchemeOptions, DisabledAuthenticationHandler>(TokenValidator.Scheme, null);
        }
        else
        {
            authentication.AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenValidator.Scheme, null);
            JwtSetup.Add(authentication, options.Jwt);
        }

        TokenRateLimits.Add(builder);
        builder.Services.AddAuthorization(Scopes.AddPolicies);
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthFailureResponses>();
        return options;
    }

    /// <summary>Logs, at every start, that nothing is protected when authentication is disabled.</summary>
    public static void WarnIfDisabled(WebApplication app)
    {
        if (app.Services.GetRequiredService<AuthOptions>().Disabled)
        {
            app.Logger.LogWarning(
                "Auth:Mode=disabled: every endpoint answers anyone who can reach it, without a token, and every change is recorded as '{Name}'. Use this for a laptop demo only.",
                DisabledAuthenticationHandler.Name);
        }
    }
}
