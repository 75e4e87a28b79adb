namespace SloMonitor.Auth;

/// <summary>How requests are authenticated; bound from the <c>Auth</c> configuration section.</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary><c>tokens</c> (the default): every endpoint but health needs a token; <c>disabled</c>: none does (a laptop demo).</summary>
    public string Mode { get; set; } = "tokens";

    /// <summary>When true, <c>/metrics</c> answers without a token (a Prometheus inside a trusted network).</summary>
    public bool MetricsOpen { get; set; }

    /// <summary>
    /// How often the validated tokens held in memory are checked against PostgreSQL again and their last-used times
    /// written; a token revoked elsewhere (another instance, the CLI) stops working within this time.
    /// </summary>
    public TimeSpan TokenRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the validated tokens (hashes, names, scopes; no secret) are kept on disk, so that a restart while
    /// PostgreSQL is away still accepts them; empty to keep them in memory only.
    /// </summary>
    public string TokenCacheFile { get; set; } = Path.Combine(".data", "token-cache.json");

    /// <summary>How many unknown tokens are remembered as unknown (no database lookup when they come again); 0 turns it off.</summary>
    public int UnknownTokenCacheSize { get; set; } = 10_000;

    /// <summary>How long a token PostgreSQL did not know is answered as unknown without asking again.</summary>
    public TimeSpan UnknownTokenCacheTime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>JWT bearer tokens from an OIDC issuer, accepted beside the service's own.</summary>
    public JwtOptions Jwt { get; set; } = new();

    public bool Disabled => string.Equals(Mode, "disabled", StringComparison.OrdinalIgnoreCase);

    public void Validate()
    {
        if (!Disabled && !string.Equals(Mode, "tokens", StringComparison.OrdinalIgnoreCase))
        {
            throw new Hosting.StartupException($"{Section}:Mode: '{Mode}' is not one of tokens, disabled");
        }

        if (TokenRefreshInterval <= TimeSpan.Zero)
        {
            throw new Hosting.StartupException($"{Section}:TokenRefreshInterval: must be a positive duration such as 00:00:30");
        }

        if (UnknownTokenCacheSize < 0)
        {
            throw new Hosting.StartupException($"{Section}:UnknownTokenCacheSize: must be 0 (off) or a positive number of tokens");
        }

        if (UnknownTokenCacheTime <= TimeSpan.Zero)
        {
            throw new Hosting.StartupException($"{Section}:UnknownTokenCacheTime: must be a positive duration such as 00:01:00");
        }

        Jwt.Validate();
    }
}
