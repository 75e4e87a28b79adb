using System.Globalization;

namespace SloMonitor.Auth;

/// <summary>
/// Requests a token may make, from <c>Auth:RateLimits</c>: a token bucket per token and scope class (the scope the
/// endpoint needs: <c>Ingest</c>, <c>Read</c>, <c>Write</c>, <c>Respond</c>, <c>Admin</c>), or one bucket for all of
/// a token's requests when <c>Tokens:&lt;name&gt;</c> names it.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string Section = AuthOptions.Section + ":RateLimits";

    /// <summary>False turns every rate limit off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The limit of each scope class (by scope name); a class without one is not limited.</summary>
    public IReadOnlyDictionary<string, RateLimit> Classes { get; init; } = new Dictionary<string, RateLimit>(StringComparer.Ordinal);

    /// <summary>Limits of single tokens (by the principal's name), replacing the class limits for them.</summary>
    public IReadOnlyDictionary<string, RateLimit> Tokens { get; init; } = new Dictionary<string, RateLimit>(StringComparer.Ordinal);

    /// <summary>The ingest requests all of one tenant's tokens may make together (null: no tenant limit).</summary>
    public RateLimit? TenantIngest { get; init; } = DefaultTenantIngest;

    /// <summary>Ingest limits of single tenants (by name), replacing <see cref="TenantIngest"/> for them.</summary>
    public IReadOnlyDictionary<string, RateLimit> Tenants { get; init; } = new Dictionary<string, RateLimit>(StringComparer.Ordinal);

    public static RateLimit DefaultTenantIngest { get; } = new(10_000, 20_000, "TenantIngest");

    public static IReadOnlyDictionary<string, RateLimit> Defaults { get; } = new Dictionary<string, RateLimit>(StringComparer.Ordinal)
    {
        [Scopes.Ingest] = new(2000, 4000, "Ingest"),
        [Scopes.Read] = new(200, 400, "Read"),
        [Scopes.Write] = new(50, 100, "Write"),
        [Scopes.Respond] = new(50, 100, "Respond"),
        [Scopes.Admin] = new(50, 100, "Admin"),
    };

    public static RateLimitOptions Read(IConfigurationSection section)
    {
        var enabled = section["Enabled"] is not { Length: > 0 } text || (bool.TryParse(text, out var on)
            ? on
            : throw new Hosting.StartupException($"{Section}:Enabled: '{text}' is not true or false"));
        var classes = new Dictionary<string, RateLimit>(StringComparer.Ordinal);
        foreach (var (scope, fallback) in Defaults)
        {
            var key = fallback.Setting;
            var limit = Limit(section.GetSection(key), key, fallback);
            if (limit is not null)
            {
                classes[scope] = limit;
            }
        }

        var tokens = new Dictionary<string, RateLimit>(StringComparer.Ordinal);
        foreach (var token in section.GetSection("Tokens").GetChildren())
        {
            tokens[token.Key] = Limit(token, "Tokens:" + token.Key, null)
                ?? throw new Hosting.StartupException($"{Section}:Tokens:{token.Key}:PermitsPerSecond: required");
        }

        var tenants = new Dictionary<string, RateLimit>(StringComparer.Ordinal);
        foreach (var tenant in section.GetSection("Tenants").GetChildren())
        {
            tenants[tenant.Key] = Limit(tenant, "Tenants:" + tenant.Key, null)
                ?? throw new Hosting.StartupException($"{Section}:Tenants:{tenant.Key}:PermitsPerSecond: required");
        }

        var tenantIngest = Limit(section.GetSection("TenantIngest"), "TenantIngest", DefaultTenantIngest);
        return new RateLimitOptions { Enabled = enabled, Classes = classes, Tokens = tokens, TenantIngest = tenantIngest, Tenants = tenants };
    }

    /// <summary>One limit; <c>PermitsPerSecond: 0</c> turns a class's limit off.</summary>
    private static RateLimit? Limit(IConfigurationSection section, string key, RateLimit? fallback)
    {
        var permits = Number(section, key, "PermitsPerSecond", fallback?.PermitsPerSecond, allowZero: true);
        if (permits is null or 0)
        {
            return null;
        }

        var burst = Number(section, key, "Burst", fallback is not null && section["PermitsPerSecond"] is null ? fallback.Burst : permits * 2, allowZero: false)!.Value;
        if (burst < permits)
        {
            throw new Hosting.StartupException($"{Section}:{key}:Burst: {burst} is below PermitsPerSecond ({permits}); a burst holds at least one second's permits");
        }

        return new RateLimit(permits.Value, burst, key);
    }

    private static int? Number(IConfigurationSection section, string key, string name, int? fallback, bool allowZero)
    {
        var text = section[name];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0))
            ? n
            : throw new Hosting.StartupException($"{Section}:{key}:{name}: '{text}' is not a {(allowZero ? "whole number (0 turns the limit off)" : "positive whole number")}");
    }
}

/// <summary>A token bucket: <paramref name="PermitsPerSecond"/> refilled continuously, at most <paramref name="Burst"/> at once.</summary>
internal sealed record RateLimit(int PermitsPerSecond, int Burst, string Setting);
