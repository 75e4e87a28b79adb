using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Prometheus;
using SloMonitor.Storage;

namespace SloMonitor.Auth;

/// <summary>What validating one bearer token found.</summary>
internal enum TokenCheck
{
    Valid,
    Unknown,
    Expired,
    DatabaseUnavailable,
}

/// <summary>
/// Validates bearer tokens. A token seen valid is kept in memory with its prebuilt principal, so the request path
/// is a SHA-256 and a dictionary lookup; <see cref="RefreshAsync"/> (every <c>Auth:TokenRefreshInterval</c>) checks
/// the kept tokens against PostgreSQL in one query, drops revoked ones and writes last-used times in one statement.
/// While PostgreSQL is away, kept tokens go on working (expiry is checked from memory) and a token never seen
/// cannot be checked.
/// </summary>
internal sealed class TokenValidator
{
    public const string Scheme = "Bearer";

    private static readonly Counter UnknownTokens = Prometheus.Metrics.CreateCounter(
        "slomon_unknown_tokens_total", "Requests with a token that is not one of the service's (malformed, unknown or revoked).");

    private static readonly Counter Lookups = Prometheus.Metrics.CreateCounter(
        "slomon_token_lookups_total", "Tokens not held in memory looked up in PostgreSQL.");

    private readonly ConcurrentDictionary<TokenHash, Entry> _valid = new();
    private readonly ConcurrentDictionary<TokenHash, Task<Entry?>> _lookups = new();
    private readonly UnknownTokenCache _unknown;
    private long _databaseLookups;
    private readonly TokenStore _store;
    private readonly TimeProvider _time;
    private int _changes;

    public TokenValidator(TokenStore store, TimeProvider time, IEnumerable<InternalToken> internalTokens, AuthOptions options)
    {
        _store = store;
        _time = time;
        _unknown = new UnknownTokenCache(options.UnknownTokenCacheSize, options.UnknownTokenCacheTime, time);
        foreach (var token in internalTokens)
        {
            _valid[ApiToken.Hash(token.Secret)] = new Entry(new TokenInfo(0, TokenStore.DefaultTenant, token.Name, "", token.Scopes, default, "", null, null, null));
        }
    }

    /// <summary>How many times a token was looked up in PostgreSQL (tokens held in memory or known unknown cost none).</summary>
    public long DatabaseLookups => Interlocked.Read(ref _databaseLookups);

    /// <summary>Grows whenever a token is added to or dropped from the validated set.</summary>
    public int Changes => Volatile.Read(ref _changes);

    /// <summary>The tokens validated against PostgreSQL (internal ones are left out).</summary>
    public IEnumerable<(TokenHash Hash, TokenInfo Token)> Validated => _valid.Where(kv => kv.Value.Token.Id > 0).Select(kv => (kv.Key, kv.Value.Token));

    /// <summary>Takes tokens validated before (the cache file), to be checked again at the next refresh.</summary>
    public void Restore(IEnumerable<(TokenHash Hash, TokenInfo Token)> tokens)
    {
        foreach (var (hash, token) in tokens)
        {
            _valid.TryAdd(hash, new Entry(token));
        }
    }

    public async ValueTask<(TokenCheck Check, AuthenticationTicket? Ticket)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (!ApiToken.IsWellFormed(token))
        {
            UnknownTokens.Inc();
            return (TokenCheck.Unknown, null);
        }

        var hash = ApiToken.Hash(token);
        var now = _time.GetUtcNow();
        if (_valid.TryGetValue(hash, out var entry))
        {
            return Use(entry, now);
        }

        var generation = _store.Generation;
        if (_unknown.Contains(hash, generation))
        {
            UnknownTokens.Inc();
            return (TokenCheck.Unknown, null);
        }

        try
        {
            entry = await LookUpAsync(hash, generation).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            return (TokenCheck.DatabaseUnavailable, null);
        }

        if (entry is null)
        {
            UnknownTokens.Inc();
            return (TokenCheck.Unknown, null);
        }

        return Use(entry, now);
    }

    /// <summary>
    /// Looks a token up in PostgreSQL and keeps what it found (valid, or unknown) before the next lookup of the same
    /// hash can start: requests with the same new token arriving together share one lookup.
    /// </summary>
    private async Task<Entry?> LookUpAsync(TokenHash hash, long generation)
    {
        var mine = new TaskCompletionSource<Entry?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _lookups.GetOrAdd(hash, mine.Task);
        if (shared != mine.Task)
        {
            return await shared;
        }

        try
        {
            // A lookup that finished between the caller's checks and this one has kept its answer already.
            if (_valid.TryGetValue(hash, out var kept) || _unknown.Contains(hash, generation))
            {
                mine.SetResult(kept);
                return kept;
            }

            Interlocked.Increment(ref _databaseLookups);
            Lookups.Inc();
            var found = await _store.FindAsync([hash], CancellationToken.None);
            Entry? entry = null;
            if (found.Count == 0)
            {
                _unknown.Add(hash, generation);
            }
            else
            {
                entry = _valid.GetOrAdd(hash, new Entry(found[0].Token));
                Interlocked.Increment(ref _changes);
            }

            mine.SetResult(entry);
        }
        catch (Exception e)
        {
            mine.SetException(e);
        }
        finally
        {
            _lookups.TryRemove(hash, out _);
        }

        return await mine.Task;
    }

    /// <summary>Forgets a token at once (revoked through this instance's API).</summary>
    public void Forget(long id)
    {
        foreach (var (hash, entry) in _valid)
        {
            if (entry.Token.Id == id && _valid.TryRemove(hash, out _))
            {
                Interlocked.Increment(ref _changes);
            }
        }
    }

    /// <summary>Writes the last-used times gathered since the previous call, then re-reads every kept token.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var uses = new List<(long, DateTimeOffset)>();
        var pending = new List<(Entry Entry, long Ticks)>();
        foreach (var entry in _valid.Values)
        {
            var used = Interlocked.Read(ref entry.LastUsedTicks);
            if (used > entry.WrittenTicks && entry.Token.Id > 0)
            {
                uses.Add((entry.Token.Id, new DateTimeOffset(used, TimeSpan.Zero)));
                pending.Add((entry, used));
            }
        }

        await _store.TouchAsync(uses, cancellationToken);
        foreach (var (entry, ticks) in pending)
        {
            entry.WrittenTicks = ticks;
        }

        var hashes = _valid.Where(kv => kv.Value.Token.Id > 0).Select(kv => kv.Key).ToList();
        if (hashes.Count == 0)
        {
            return;
        }

        var current = (await _store.FindAsync(hashes, cancellationToken)).ToDictionary(f => f.Hash, f => f.Token);
        foreach (var hash in hashes)
        {
            if (!current.ContainsKey(hash) && _valid.TryRemove(hash, out _))
            {
                Interlocked.Increment(ref _changes);
            }
        }
    }

    private static (TokenCheck, AuthenticationTicket?) Use(Entry entry, DateTimeOffset now)
    {
        if (entry.Token.ExpiresAt is { } expires && expires <= now)
        {
            return (TokenCheck.Expired, null);
        }

        var ticks = now.UtcTicks;
        var seen = Interlocked.Read(ref entry.LastUsedTicks);
        if (ticks > seen)
        {
            Interlocked.CompareExchange(ref entry.LastUsedTicks, ticks, seen);
        }

        return (TokenCheck.Valid, entry.Ticket);
    }

    /// <summary>The principal of a token: its name, tenant and one claim per scope.</summary>
    public static ClaimsPrincipal PrincipalOf(string name, string tenant, IEnumerable<string> scopes, string authenticationType)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(Scopes.TenantClaimType, tenant) };
        claims.AddRange(scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    private sealed class Entry(TokenInfo token)
    {
        public TokenInfo Token { get; } = token;

        public AuthenticationTicket Ticket { get; } = new(PrincipalOf(token.Name, token.Tenant, token.Scopes, Scheme), Scheme);

        public long LastUsedTicks;

        public long WrittenTicks;
    }
}

/// <summary>A token the service makes for itself at start (its own telemetry export), valid in memory only.</summary>
internal sealed record InternalToken(string Secret, string Name, IReadOnlyList<string> Scopes);
