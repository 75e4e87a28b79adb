using System.Security.Claims;

namespace SloMonitor.Auth;

/// <summary>Who is asking: the name and tenant of the authenticated token, read from its claims.</summary>
internal static class Principal
{
    /// <summary>The name the timeline, silences and SLOs record for this request.</summary>
    public static string NameOf(HttpContext context) => context.User.Identity?.Name ?? DisabledAuthenticationHandler.Name;

    public static string TenantOf(HttpContext context) => context.User.FindFirstValue(Scopes.TenantClaimType) ?? TokenStore.DefaultTenant;

    public static IEnumerable<string> ScopesOf(ClaimsPrincipal user) => user.FindAll(Scopes.ClaimType).Select(c => c.Value);
}
