using System.Text.Json;
using Dapper;
using Npgsql;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>Silences in PostgreSQL. Expiring a silence ends it now; rows are kept for the record.</summary>
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

    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public async Task<Silence> CreateAsync(IReadOnlyList<Matcher> matchers, DateTimeOffset? startsAt, DateTimeOffset endsAt, string createdBy, string comment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var now = _time.GetUtcNow();
        var start = startsAt ?? now;
        if (matchers.Count == 0)
        {
            throw new ArgumentException("matchers: at least one matcher is required", nameof(matchers));
        }

        if (matchers.All(m => m.Matches(new Dictionary<string, string>())))
        {
            throw new ArgumentException("matchers: at least one matcher must not match the empty string (it would silence everything)", nameof(matchers));
        }

        if (endsAt <= start)
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

        var silence = new Silence(Guid.NewGuid(), matchers, start, endsAt, createdBy.Trim(), comment?.Trim() ?? string.Empty, now, now);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO silence (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at)
            VALUES (@Id, @Matchers::jsonb, @StartsAt, @EndsAt, @CreatedBy, @Comment, @Now, @Now)
            """,
            new
            {
                silence.Id,
                Matchers = SerializeMatchers(matchers),
                StartsAt = Db.Utc(start),
                EndsAt = Db.Utc(endsAt),
                silence.CreatedBy,
                silence.Comment,
                Now = Db.Utc(now),
            },
            cancellationToken: cancellationToken));
        Interlocked.Increment(ref _generation);
        return silence;
    }

    public async Task<IReadOnlyList<Silence>> ListAsync(bool includeExpired, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            SelectSql + " WHERE @IncludeExpired OR ends_at > @Now ORDER BY starts_at DESC, id",
            new { IncludeExpired = includeExpired, Now = Db.Utc(_time.GetUtcNow()) },
            cancellationToken: cancellationToken));
        return rows.Select(ToSilence).ToList();
    }

    public async Task<Silence?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(SelectSql + " WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : ToSilence(row);
    }

    /// <summary>Ends the silence now (a pending one never starts). Null when there is no such silence.</summary>
    public async Task<Silence?> ExpireAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = Db.Utc(_time.GetUtcNow());
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE silence
               SET ends_at = @now, starts_at = LEAST(starts_at, @now), updated_at = @now
             WHERE id = @id AND ends_at > @now
            """, new { id, now }, cancellationToken: cancellationToken));
        Interlocked.Increment(ref _generation);
        return await GetAsync(id, cancellationToken);
    }

    internal async Task<IReadOnlyList<Silence>> NotExpiredAsync(CancellationToken cancellationToken) =>
        await ListAsync(includeExpired: false, cancellationToken);

    private const string SelectSql = """
        SELECT id AS Id, matchers::text AS Matchers, starts_at AS StartsAt, ends_at AS EndsAt, created_by AS CreatedBy,
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
        return new Silence(row.Id, matchers, Db.Offset(row.StartsAt), Db.Offset(row.EndsAt), row.CreatedBy, row.Comment, Db.Offset(row.CreatedAt), Db.Offset(row.UpdatedAt));
    }

    private sealed record MatcherJson(string Name, string Value, bool IsRegex, bool IsEqual);

    private sealed class Row
    {
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
