using System.Reflection;
using Dapper;
using Npgsql;

namespace SloMonitor.Storage;

/// <summary>
/// Applies the forward-only SQL scripts embedded under <c>Migrations/</c> in name order. Each script runs in its
/// own transaction together with its row in <c>schema_version</c>; the whole run holds a session advisory lock, so
/// two instances starting together apply each script once. Written here rather than taken from a library because
/// the job is forty lines and the advisory lock is the part that matters.
/// </summary>
public static class MigrationRunner
{
    // Any constant shared by every instance of the service; "SLOMON" in ASCII.
    private const long AdvisoryLockKey = 0x534C4F4D4F4E;

    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies the scripts not yet recorded; returns the versions applied by this call.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey });
        try
        {
            await connection.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_version (
                    version    text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """);
            var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_version")).ToHashSet();
            var appliedNow = new List<string>();
            foreach (var (version, sql) in Scripts)
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version }, transaction);
                await transaction.CommitAsync(cancellationToken);
                appliedNow.Add(version);
            }

            return appliedNow;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
        }
    }

    private static List<(string, string)> LoadScripts()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string prefix = "SloMonitor.Storage.Migrations.";
        var scripts = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var version = name[prefix.Length..^".sql".Length];
            scripts.Add((version, reader.ReadToEnd()));
        }

        return scripts;
    }
}
