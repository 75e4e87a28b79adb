using Npgsql;
using SloMonitor.Alerting;
using SloMonitor.Cluster;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Hosting;

/// <summary>
/// The service's database schema: the migrations every feature keeps beside it, in the one order of their versions
/// (the same versions, in the same order, as when they all lived in one folder, so an existing database migrates
/// exactly as before).
/// </summary>
internal static class DatabaseSchema
{
    public static IReadOnlyList<(string Version, string Sql)> Migrations { get; } = MigrationRunner.Collect(
        typeof(DatabaseSchema).Assembly, // the service's own bookkeeping, API tokens and the audit log
        typeof(SloEngine).Assembly,      // SLO definitions, series checkpoints, budget adjustments, gate overrides, month summaries
        typeof(AlertIngestor).Assembly,  // alerts, incidents, silences, the notification log and outbox
        typeof(ClusterSettings).Assembly); // Orleans' cluster membership (Cluster:Mode=postgres)

    /// <summary>Applies the migrations not yet recorded; returns the versions applied by this call.</summary>
    public static Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        MigrationRunner.ApplyAsync(dataSource, Migrations, cancellationToken);
}
