using Dapper;
using Npgsql;

namespace SloMonitor.Auth;

/// <summary>A token as listed: everything but its secret, which is never stored.</summary>
internal sealed record TokenInfo(
    long Id, string Tenant, string Name, string Hint, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>API tokens in <c>api_token</c>: created with a fresh secret, found by the hash of one, listed, revoked.</summary>
internal sealed class TokenStore(NpgsqlDataSource dataSource)
{
    public const string DefaultTenant = Storage.Tenants.Default;
    private long _generation;

    /// <summary>Grows whenever this store created a token: what the cache of unknown tokens is invalidated by.</summary>
    public long Generation => Interlocked.Read(ref _generation);
    private const string Columns = """
        id AS Id, tenant AS Tenant, name AS Name, hint AS Hint, scopes AS Scopes, created_at AS CreatedAt, created_by AS CreatedBy,
        expires_at AS ExpiresAt, last_used_at AS LastUsedAt, revoked_at AS RevokedAt
        """;

    /// <summary>
    /// Creates a token and returns it with its secret, shown this once; null when <paramref name="onlyIfNone"/> is set
    /// and the tenant already has a token that is not revoked.
    /// </summary>
    public async Task<(TokenInfo Token, string Secret)?> CreateAsync(
        string tenant, string name, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt, string createdBy, DateTimeOffset now,
        bool onlyIfNone = false, CancellationToken cancellationToken = default)
    {
        var secret = ApiToken.Create();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                $"""
                INSERT INTO api_token (tenant, name, hash, hint, scopes, created_at, created_by, expires_at)
                SELECT @tenant, @name, @hash, @hint, @scopes, @now, @createdBy, @expiresAt::timestamptz
                WHERE NOT @onlyIfNone OR NOT EXISTS (SELECT 1 FROM api_token WHERE tenant = @tenant AND revoked_at IS NULL)
                RETURNING {Columns}
                """,
                new
                {
                    tenant, name, hash = ApiToken.Hash(secret).ToBytes(), hint = ApiToken.Hint(secret), scopes = scopes.ToArray(), now,
                    createdBy, expiresAt, onlyIfNone,
                },
                cancellationToken: cancellationToken));
            Interlocked.Increment(ref _generation);
            return row is null ? null : (row.ToInfo(), secret);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ArgumentException($"name: a token named '{name}' exists already in tenant '{tenant}' (revoke it first, or pick another name)", nameof(name), e);
        }
    }

    /// <summary>The tenant's tokens, newest first; revoked ones only with <paramref name="includeRevoked"/>.</summary>
    public async Task<IReadOnlyList<TokenInfo>> ListAsync(string tenant, bool includeRevoked, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM api_token WHERE tenant = @tenant AND (@includeRevoked OR revoked_at IS NULL) ORDER BY id DESC",
            new { tenant, includeRevoked }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo()).ToList();
    }

    /// <summary>Revokes the tenant's token with this id, or else this name; null when there is none to revoke.</summary>
    public async Task<TokenInfo?> RevokeAsync(string tenant, string idOrName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        long? id = long.TryParse(idOrName, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"""
            UPDATE api_token SET revoked_at = @now
            WHERE id = (SELECT id FROM api_token WHERE tenant = @tenant AND revoked_at IS NULL AND (id = @id::bigint OR name = @idOrName)
                        ORDER BY (id = @id::bigint) IS TRUE DESC LIMIT 1)
            RETURNING {Columns}
            """,
            new { tenant, id, idOrName, now }, cancellationToken: cancellationToken));
        return row?.ToInfo();
    }

    /// <summary>The tokens with these hashes that still count (not revoked), for validation and its refresh.</summary>
    public async Task<IReadOnlyList<(TokenHash Hash, TokenInfo Token)>> FindAsync(IReadOnlyList<TokenHash> hashes, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT hash AS Hash, {Columns} FROM api_token WHERE hash = ANY(@hashes) AND revoked_at IS NULL",
            new { hashes = hashes.Select(h => h.ToBytes()).ToArray() }, cancellationToken: cancellationToken));
        return rows.Select(r => (TokenHash.From(r.Hash), r.ToInfo())).ToList();
    }

    /// <summary>Writes last-used times in one statement; a time never moves back.</summary>
    public async Task TouchAsync(IReadOnlyList<(long Id, DateTimeOffset At)> uses, CancellationToken cancellationToken = default)
    {
        if (uses.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE api_token t SET last_used_at = GREATEST(t.last_used_at, u.at)
            FROM unnest(@ids, @ats) AS u(id, at) WHERE t.id = u.id
            """,
            new { ids = uses.Select(u => u.Id).ToArray(), ats = uses.Select(u => u.At).ToArray() }, cancellationToken: cancellationToken));
    }

    private sealed class Row
    {
        public byte[] Hash { get; set; } = [];
        public long Id { get; set; }
        public string Tenant { get; set; } = "";
        public string Name { get; set; } = "";
        public string Hint { get; set; } = "";
        public string[] Scopes { get; set; } = [];
        public DateTime CreatedAt { get; set; }
        public string CreatedBy { get; set; } = "";
        public DateTime? ExpiresAt { get; set; }
        public DateTime? LastUsedAt { get; set; }
        public DateTime? RevokedAt { get; set; }

        public TokenInfo ToInfo() => new(Id, Tenant, Name, Hint, Scopes, Utc(CreatedAt), CreatedBy, Utc(ExpiresAt), Utc(LastUsedAt), Utc(RevokedAt));

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

        private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
    }
}
