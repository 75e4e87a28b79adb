using System.Data.Common;
using System.Text.Json;
using Dapper;
using Npgsql;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>
/// Silences in PostgreSQL, each of one tenant: every read and write names the tenant, and another tenant's silence is
/// not found. Expiring a silence ends it now; rows are kept for the record. The methods without a tenant act on the
/// default tenant's.
/// </summary>
public sealed class SilenceStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private long _generation;

    public SilenceStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    /// <summary>Changes on every write, so the mute evaluator reloads at once.</summary>
    internal long Generation => Interlocked.Read(ref _generation);

    /// <summary>Expired silences stay listed this long after they ended (Alertmanager's retention); by id, always.</summary>
    internal TimeSpan ExpiredRetention { get; init; } = TimeSpan.FromDays(5);

    /// <summary>
    /// The most silences not yet expired (active or pending) one tenant may hold; 0 for no limit
    /// (<c>Alerting:MaxSilencesPerTenant</c>).
    /// </summary>
    internal int MaxPerTenant { get; init; }

    public Task<Silence> CreateAsync(IReadOnlyList<Matcher> matchers, DateTimeOffset? startsAt, DateTimeOffset endsAt, string createdBy, string comment, CancellationToken cancellationToken) =>
        CreateAsync(Storage.Tenants.Default, matchers, startsAt, endsAt, createdBy, comment, cancellationToken);

    /// <summary>Creates a silence of <paramref name="tenant"/>; a start in the past (or none) is now, as in Alertmanager.</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    /// <exception cref="SilenceLimitException">The tenant holds <see cref="MaxPerTenant"/> silences not yet expired.</exception>
    public async Task<Silence> CreateAsync(string tenant, IReadOnlyList<Matcher> matchers, DateTimeOffset? startsAt, DateTimeOffset endsAt, string createdBy, string comment, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var silence = Validate(Guid.NewGuid(), matchers, startsAt, endsAt, createdBy, comment, now) with { Tenant = tenant };
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CheckLimitAsync(connection, transaction, tenant, now, cancellationToken);
        await InsertAsync(connection, transaction, silence, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Interlocked.Increment(ref _generation);
        return silence;
    }

    /// <summary>
    /// Refuses a new silence when the tenant already holds <see cref="MaxPerTenant"/> not yet expired; the tenant's
    /// silences are counted under a transaction-scoped lock on the tenant, so two creations at once cannot both pass.
    /// </summary>
    private async Task CheckLimitAsync(DbConnection connection, DbTransaction transaction, string tenant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (MaxPerTenant <= 0)
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('silence\n' || @tenant, 0))", new { tenant }, transaction, cancellationToken: cancellationToken));
        var held = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM silence WHERE tenant = @tenant AND ends_at > @now", new { tenant, now = Db.Utc(now) }, transaction, cancellationToken: cancellationToken));
        if (held >= MaxPerTenant)
        {
            throw new SilenceLimitException(
                $"the tenant already has {held} silences not yet expired, the limit of Alerting:MaxSilencesPerTenant ({MaxPerTenant}); expire one first");
        }
    }

    /// <summary>
    /// Alertmanager's update of a silence posted with its id: the silence changes in place when its matchers stay the
    /// same and history stays true (an active silence keeps its start, a pending one does not start in the past);
    /// otherwise the old silence is expired (unless it already is) and the new one gets a new id. Null when there is
    /// no silence <paramref name="id"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    /// <exception cref="SilenceLimitException">An expired silence would come back while its tenant is at its cap.</exception>
    public Task<Silence?> UpdateAsync(Guid id, IReadOnlyList<Matcher> matchers, DateTimeOffset? startsAt, DateTimeOffset endsAt, string createdBy, string comment, CancellationToken cancellationToken) =>
        UpdateAsync(Storage.Tenants.Default, id, matchers, startsAt, endsAt, createdBy, comment, cancellationToken);

    /// <inheritdoc cref="UpdateAsync(Guid, IReadOnlyList{Matcher}, DateTimeOffset?, DateTimeOffset, string, string, CancellationToken)"/>
    public async Task<Silence?> UpdateAsync(string tenant, Guid id, IReadOnlyList<Matcher> matchers, DateTimeOffset? startsAt, DateTimeOffset endsAt, string createdBy, string comment, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var start = startsAt ?? now;
        var wanted = Validate(id, matchers, start, endsAt, createdBy, comment, now) with { StartsAt = start, Tenant = tenant };
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE tenant = @tenant AND id = @id FOR UPDATE", new { tenant, id }, transaction, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var current = ToSilence(row);
        Silence written;
        if (CanUpdateInPlace(current, wanted, now))
        {
            written = wanted with { CreatedAt = current.CreatedAt, UpdatedAt = now };
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE silence SET starts_at = @StartsAt, ends_at = @EndsAt, created_by = @CreatedBy, comment = @Comment, updated_at = @Now
                 WHERE tenant = @Tenant AND id = @Id
                """,
                new { written.Tenant, written.Id, StartsAt = Db.Utc(written.StartsAt), EndsAt = Db.Utc(written.EndsAt), written.CreatedBy, written.Comment, Now = Db.Utc(now) },
                transaction, cancellationToken: cancellationToken));
        }
        else
        {
            // Replacing a silence not yet expired keeps the count; reviving an expired one adds a silence.
            if (current.StateAt(now) == "expired")
            {
                await CheckLimitAsync(connection, transaction, tenant, now, cancellationToken);
            }

            await ExpireAsync(connection, transaction, tenant, id, Db.Utc(now), cancellationToken);
            written = wanted with { Id = Guid.NewGuid(), StartsAt = start < now ? now : start };
            await InsertAsync(connection, transaction, written, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Interlocked.Increment(ref _generation);
        return written;
    }

    public Task<IReadOnlyList<Silence>> ListAsync(bool includeExpired, CancellationToken cancellationToken) =>
        ListAsync(Storage.Tenants.Default, includeExpired, cancellationToken);

    /// <summary>The silences of <paramref name="tenant"/>, newest start first.</summary>
    public async Task<IReadOnlyList<Silence>> ListAsync(string tenant, bool includeExpired, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE tenant = @tenant AND ends_at > @Since ORDER BY starts_at DESC, id",
            new { tenant, Since = Db.Utc(includeExpired ? now - ExpiredRetention : now) },
            cancellationToken: cancellationToken));
        return rows.Select(ToSilence).ToList();
    }

    public Task<Silence?> GetAsync(Guid id, CancellationToken cancellationToken) => GetAsync(Storage.Tenants.Default, id, cancellationToken);

    /// <summary>The silence <paramref name="id"/> of <paramref name="tenant"/>; null when there is none (another tenant's included).</summary>
    public async Task<Silence?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE tenant = @tenant AND id = @id", new { tenant, id }, cancellationToken: cancellationToken));
        return row is null ? null : ToSilence(row);
    }

    public Task<Silence?> ExpireAsync(Guid id, CancellationToken cancellationToken) => ExpireAsync(Storage.Tenants.Default, id, cancellationToken);

    /// <summary>Ends the silence now (a pending one never starts). Null when <paramref name="tenant"/> has no such silence.</summary>
    public async Task<Silence?> ExpireAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var now = Db.Utc(_time.GetUtcNow());
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await ExpireAsync(connection, null, tenant, id, now, cancellationToken);
        Interlocked.Increment(ref _generation);
        return await GetAsync(tenant, id, cancellationToken);
    }

    private static Task ExpireAsync(DbConnection connection, DbTransaction? transaction, string tenant, Guid id, DateTime now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE silence
               SET ends_at = @now, starts_at = LEAST(starts_at, @now), updated_at = @now
             WHERE tenant = @tenant AND id = @id AND ends_at > @now
            """, new { tenant, id, now }, transaction, cancellationToken: cancellationToken));

    private static Task InsertAsync(DbConnection connection, DbTransaction? transaction, Silence silence, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO silence (tenant, id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at)
            VALUES (@Tenant, @Id, @Matchers::jsonb, @StartsAt, @EndsAt, @CreatedBy, @Comment, @CreatedAt, @UpdatedAt)
            """,
            new
            {
                silence.Tenant,
                silence.Id,
                Matchers = SerializeMatchers(silence.Matchers),
                StartsAt = Db.Utc(silence.StartsAt),
                EndsAt = Db.Utc(silence.EndsAt),
                silence.CreatedBy,
                silence.Comment,
                CreatedAt = Db.Utc(silence.CreatedAt),
                UpdatedAt = Db.Utc(silence.UpdatedAt),
            },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>The checks of a new or changed silence; the start is now when absent or past.</summary>
    private static Silence Validate(Guid id, IReadOnlyList<Matcher> matchers, DateTimeOffset? startsAt, DateTimeOffset endsAt, string createdBy, string comment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var start = startsAt is { } s && s > now ? s : now;
        if (matchers.Count == 0)
        {
            throw new ArgumentException("matchers: at least one matcher is required", nameof(matchers));
        }

        if (matchers.All(m => m.Matches(new Dictionary<string, string>())))
        {
            throw new ArgumentException("matchers: at least one matcher must not match the empty string (it would silence everything)", nameof(matchers));
        }

        if (endsAt <= (startsAt ?? now))
        {
            throw new ArgumentException("endsAt: must be after startsAt", nameof(endsAt));
        }

        if (endsAt <= now)
        {
            throw new ArgumentException("endsAt: must be in the future", nameof(endsAt));
        }

        if (string.IsNullOrWhiteSpace(createdBy))
        {
            throw new ArgumentException("createdBy: is required", nameof(createdBy));
        }

        return new Silence(id, matchers, start, endsAt, createdBy.Trim(), comment?.Trim() ?? string.Empty, now, now);
    }

    /// <summary>Alertmanager's rule: an update may not rewrite what the silence already did.</summary>
    private static bool CanUpdateInPlace(Silence current, Silence wanted, DateTimeOffset now)
    {
        if (!SerializeMatchers(current.Matchers).Equals(SerializeMatchers(wanted.Matchers), StringComparison.Ordinal))
        {
            return false;
        }

        return current.StateAt(now) switch
        {
            "active" => current.StartsAt.ToUnixTimeSeconds() == wanted.StartsAt.ToUnixTimeSeconds() && wanted.EndsAt >= now,
            "pending" => wanted.StartsAt >= now,
            _ => false,
        };
    }

    /// <summary>The silences not yet expired, of every tenant (each mutes only its own tenant's alerts).</summary>
    internal async Task<IReadOnlyList<Silence>> NotExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE ends_at > @now ORDER BY starts_at DESC, id", new { now = Db.Utc(_time.GetUtcNow()) }, cancellationToken: cancellationToken));
        return rows.Select(ToSilence).ToList();
    }

    private const string SelectSql = """
        SELECT tenant AS Tenant, id AS Id, matchers::text AS Matchers, starts_at AS StartsAt, ends_at AS EndsAt, created_by AS CreatedBy,
               comment AS Comment, created_at AS CreatedAt, updated_at AS UpdatedAt
          FROM silence
        """;

    internal static string SerializeMatchers(IReadOnlyList<Matcher> matchers) =>
        JsonSerializer.Serialize(matchers.Select(m => new MatcherJson(m.Name, m.Value, m.IsRegex, m.IsEqual)));

    private static Silence ToSilence(Row row)
    {
        var matchers = JsonSerializer.Deserialize<List<MatcherJson>>(row.Matchers)!
            .Select(m => Matcher.FromParts(m.Name, m.Value, m.IsRegex, m.IsEqual))
            .ToList();
        return new Silence(row.Id, matchers, Db.Offset(row.StartsAt), Db.Offset(row.EndsAt), row.CreatedBy, row.Comment, Db.Offset(row.CreatedAt), Db.Offset(row.UpdatedAt), row.Tenant);
    }

    private sealed record MatcherJson(string Name, string Value, bool IsRegex, bool IsEqual);

    private sealed class Row
    {
        public string Tenant { get; set; } = Storage.Tenants.Default;

        public Guid Id { get; set; }

        public string Matchers { get; set; } = "[]";

        public DateTime StartsAt { get; set; }

        public DateTime EndsAt { get; set; }

        public string CreatedBy { get; set; } = string.Empty;

        public string Comment { get; set; } = string.Empty;

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }
    }
}
