using System.Reflection;
using Dapper;
using Npgsql;

namespace SloMonitor.Storage;

/// <summary>
/// Applies forward-only SQL scripts in version order. Each feature keeps its scripts beside it, embedded in its
/// assembly under <see cref="ResourcePrefix"/>; <see cref="Collect"/> gathers them from the features' assemblies
/// into the one order of their versions, so a database migrates the same whichever feature a script belongs to.
/// Each script runs in its own transaction together with its row in <c>schema_version</c>; the whole run holds a
/// session advisory lock, so two instances starting together apply each script once. Written here rather than
/// taken from a library because the job is forty lines and the advisory lock is the part that matters.
/// </summary>
public static class MigrationRunner
{
    /// <summary>The name every embedded migration script has, before its version: <c>SloMonitor.Migrations.0003_slo_definitions.sql</c>.</summary>
    public const string ResourcePrefix = "SloMonitor.Migrations.";

    // Any constant shared by every instance of the service; "SLOMON" in ASCII.
    private const long AdvisoryLockKey = 0x534C4F4D4F4E;

    /// <summary>
    /// The scripts embedded in <paramref name="assemblies"/>, ordered by version (ordinal); the version is the file
    /// name without <c>.sql</c>. Two scripts of one version are an error naming both assemblies.
    /// </summary>
    public static IReadOnlyList<(string Version, string Sql)> Collect(params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var scripts = new SortedDictionary<string, (Assembly Assembly, string Sql)>(StringComparer.Ordinal);
        foreach (var assembly in assemblies.Distinct())
        {
            foreach (var name in assembly.GetManifestResourceNames())
            {
                if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
                {
                    continue;
                }

                var version = name[ResourcePrefix.Length..^".sql".Length];
                if (scripts.TryGetValue(version, out var other))
                {
                    throw new InvalidOperationException($"migration {version} is embedded in both {other.Assembly.GetName().Name} and {assembly.GetName().Name}");
                }

                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                scripts[version] = (assembly, reader.ReadToEnd());
            }
        }

        return [.. scripts.Select(s => (s.Key, s.Value.Sql))];
    }

    /// <summary>Applies the scripts of <paramref name="scripts"/> not yet recorded, in their order; returns the versions applied by this call.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, IReadOnlyList<(string Version, string Sql)> scripts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(scripts);
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
            foreach (var (version, sql) in scripts)
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
}
