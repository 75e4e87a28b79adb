using Microsoft.AspNetCore.Authorization;

namespace SloMonitor.Auth;

/// <summary>
/// What a token may do. <c>ingest</c>: OTLP and <c>POST /api/v2/alerts</c>; <c>read</c>: every GET of the API, the
/// UI's data and <c>/metrics</c>; <c>write</c>: SLOs and silences; <c>respond</c>: acknowledge, resolve and comment on
/// incidents; <c>admin</c>: tokens, and every other scope with it.
/// </summary>
internal static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Write = "write";
    public const string Respond = "respond";
    public const string Admin = "admin";

    /// <summary>The claim type that carries one scope each.</summary>
    public const string ClaimType = "scope";

    /// <summary>The claim type of the token's tenant.</summary>
    public const string TenantClaimType = Storage.Tenants.ClaimType;

    public static IReadOnlyList<string> All { get; } = [Ingest, Read, Write, Respond, Admin];

    /// <summary>Reads <c>a,b</c> into known scopes, or names the first unknown one.</summary>
    public static (string[] Scopes, string? Error) Parse(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return ([], $"at least one scope is required: {string.Join(", ", All)}");
        }

        foreach (var part in parts)
        {
            if (!All.Contains(part, StringComparer.Ordinal))
            {
                return ([], $"'{part}' is not a scope; the scopes are {string.Join(", ", All)}");
            }
        }

        return (parts.Distinct(StringComparer.Ordinal).ToArray(), null);
    }

    /// <summary>Requires a token holding <paramref name="scope"/> (or admin) on the endpoints of <paramref name="builder"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyName(scope));

    public static string PolicyName(string scope) => "scope:" + scope;

    public static void AddPolicies(AuthorizationOptions options)
    {
        foreach (var scope in All)
        {
            options.AddPolicy(PolicyName(scope), policy => policy.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
        }

        // An endpoint that declares nothing still needs a valid token; the endpoint coverage test names it.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}

/// <summary>The one requirement of a scope policy; a failure names the scope that was missing.</summary>
internal sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

/// <summary>A token holding the scope, or admin, meets the requirement.</summary>
internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(Scopes.ClaimType, requirement.Scope) || context.User.HasClaim(Scopes.ClaimType, Scopes.Admin))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
