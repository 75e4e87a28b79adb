namespace SloMonitor.Storage;

/// <summary>
/// Tenants: every SLO, series, alert, silence, incident, token and audit record belongs to one. A single-tenant
/// install has one, <see cref="Default"/>; rows written before tenants existed belong to it.
/// </summary>
public static class Tenants
{
    /// <summary>The tenant of a single-tenant install, and of every row written before tenants existed.</summary>
    public const string Default = "default";

    /// <summary>The claim of an authenticated principal that names its tenant.</summary>
    public const string ClaimType = "tenant";
}
