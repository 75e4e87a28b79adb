using System.Globalization;

namespace SloMonitor.Auth;

/// <summary>
/// JWT bearer tokens from an OIDC issuer, accepted beside the service's own tokens; bound from <c>Auth:Jwt</c>.
/// Off while <see cref="Issuer"/> is empty.
/// </summary>
internal sealed class JwtOptions
{
    public const string Section = AuthOptions.Section + ":Jwt";

    /// <summary>The issuer (<c>iss</c>) the tokens must name; its keys are read from its OpenID discovery document.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The audience (<c>aud</c>) the tokens must name: the client id SloMonitor is registered under.</summary>
    public string Audience { get; set; } = "";

    /// <summary>Where the discovery document is; <c>{Issuer}/.well-known/openid-configuration</c> when empty.</summary>
    public string MetadataAddress { get; set; } = "";

    /// <summary>Refuse a discovery document served over plain HTTP (turn off only for an issuer on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim whose value names the principal (the actor of the audit log and the timeline); <c>sub</c> when absent.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>The claim naming the tenant; empty: every JWT principal belongs to the <c>default</c> tenant.</summary>
    public string TenantClaim { get; set; } = "";

    /// <summary>The claim holding the principal's scopes or groups (a space-separated string or an array).</summary>
    public string ScopeClaim { get; set; } = "scope";

    /// <summary>
    /// Claim value → SloMonitor scopes (<c>"sre": "read,respond,write"</c>). Empty: values that are SloMonitor scope
    /// names count as themselves. Set: only the mapped values count.
    /// </summary>
    public Dictionary<string, string> ScopeMap { get; set; } = [];

    /// <summary>How far token times (expiry, not-before) may be off the service's clock.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => Issuer.Length > 0;

    /// <summary>The scope map read and checked: claim value → scopes.</summary>
    public IReadOnlyDictionary<string, string[]> Map { get; private set; } = new Dictionary<string, string[]>();

    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }

        if (!Uri.TryCreate(Issuer, UriKind.Absolute, out var issuer) || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp))
        {
            throw new Hosting.StartupException($"{Section}:Issuer: '{Issuer}' is not an absolute http(s) URL");
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            throw new Hosting.StartupException($"{Section}:Audience: required when {Section}:Issuer is set (the client id tokens are issued for)");
        }

        if (string.IsNullOrWhiteSpace(NameClaim) || string.IsNullOrWhiteSpace(ScopeClaim))
        {
            throw new Hosting.StartupException($"{Section}:{(string.IsNullOrWhiteSpace(NameClaim) ? "NameClaim" : "ScopeClaim")}: must name a claim");
        }

        if (ClockSkew < TimeSpan.Zero)
        {
            throw new Hosting.StartupException($"{Section}:ClockSkew: must not be negative");
        }

        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (value, scopes) in ScopeMap)
        {
            var (parsed, error) = Scopes.Parse(scopes);
            if (error is not null)
            {
                throw new Hosting.StartupException(string.Create(CultureInfo.InvariantCulture, $"{Section}:ScopeMap:{value}: {error}"));
            }

            map[value] = parsed;
        }

        Map = map;
    }
}
