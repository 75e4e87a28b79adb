using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using SloMonitor.Alerting;
using SloMonitor.Cluster;
using SloMonitor.Hosting;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Storage;

/// <summary>
/// The migrations moved from one folder in Storage to the features they belong to. A database migrated before the
/// move must be up to date after it, and a fresh one must get the same schema.
/// </summary>
public sealed class MigrationLayoutTests
{
    /// <summary>The scripts as they were when they all lived in Storage: version and SHA-256 of the text, in the order they ran.</summary>
    private static readonly (string Version, string Sha256)[] OneFolderLayout =
    [
        ("0001_service", "9687b684bf67b364ba1538b3fdbba7f78b5b6271248936fb27b4ab58c37801de"),
        ("0002_alerting", "246c2374d9ddc73f8fa63f82d91bca1002990c182586893886debe5eace71196"),
        ("0003_slo_definitions", "48548aa400ca81786586ca820b15b375d47555c09c8faf9e57652a815b9b11aa"),
        ("0004_slo_state", "96c22817e711ff9c1f3ff9a0d018af364af87f19cc297e2a89a2b92d6fc4dbdc"),
        ("0005_incident_alerts", "f1ac5f1b73e4dcbf16ab1d5886ba425493ef0d5456f27d81e664fb81e30e160b"),
        ("0006_slo_definition_owner", "0851f8c8004551ac0dcd187a0145c389d68924ba8a7221aad415421d5b1e5a7e"),
        ("0007_api_tokens_and_audit", "dcc96d6a05dd802145691943df01951c0313c6ec8df31fd55c0f9d3a1f00f932"),
        ("0008_budget_policy", "b8e03bed27dbfb43564078c69f62ee26110f4ab5d7ba044443f0d0d64c7c8164"),
        ("0009_adjustment_recurrence", "4cc827d48ccfdd95d6e7e881702609ca0cbdf36572cf867035a1d002d5979907"),
        ("0010_slo_month_summary", "256f560e7cd8878f336fbf3f6ec01d18e6422578f748e0225fa8a892c7744721"),
        ("0011_alerting_tenants", "43000edd420c89f018bb9740538e5563e7fcf9e79ff5e9edca0a82cfa903eba7"),
        ("0012_slo_tenants", "0bad41b6709fd850d0398a6470afba8c817481afdb917c45a545f0b70f2e37b2"),
    ];

    [Fact]
    public void TheMigrationsOfTheOneFolderLayoutComeFirstWithTheirVersionsTextAndOrder()
    {
        var collected = DatabaseSchema.Migrations.Take(OneFolderLayout.Length).Select(m => (m.Version, Sha256(m.Sql))).ToArray();

        Assert.Equal(OneFolderLayout, collected);
    }

    [Fact]
    public void EachFeatureCarriesItsOwnMigrations()
    {
        Assert.Equal(
            ["0003_slo_definitions", "0004_slo_state", "0006_slo_definition_owner", "0008_budget_policy", "0009_adjustment_recurrence", "0010_slo_month_summary", "0012_slo_tenants"],
            MigrationRunner.Collect(typeof(SloEngine).Assembly).Select(m => m.Version).Take(7));
        Assert.Equal(["0002_alerting", "0005_incident_alerts", "0011_alerting_tenants"], MigrationRunner.Collect(typeof(AlertIngestor).Assembly).Select(m => m.Version).Take(3));
        Assert.Equal(["0001_service", "0007_api_tokens_and_audit"], MigrationRunner.Collect(typeof(DatabaseSchema).Assembly).Select(m => m.Version).Take(2));
        Assert.Equal(["0013_cluster_membership"], MigrationRunner.Collect(typeof(ClusterSettings).Assembly).Select(m => m.Version).Take(1));
        Assert.Empty(MigrationRunner.Collect(typeof(MigrationRunner).Assembly));
    }

    [Fact]
    public async Task ADatabaseMigratedBeforeTheMoveIsUpToDateAndAFreshOneGetsTheSameSchema()
    {
        await using var before = await TestDatabase.CreateAsync(migrate: false);
        await MigrateAsTheOneFolderLayoutDidAsync(before.DataSource);
        await using var fresh = await TestDatabase.CreateAsync(migrate: false);

        var appliedToOld = await DatabaseSchema.ApplyAsync(before.DataSource);
        var appliedToFresh = await DatabaseSchema.ApplyAsync(fresh.DataSource);

        // Only the migrations added after the move (such as the cluster membership's) are new to it.
        Assert.Equal(DatabaseSchema.Migrations.Skip(OneFolderLayout.Length).Select(m => m.Version), appliedToOld);
        Assert.Equal(DatabaseSchema.Migrations.Select(m => m.Version), appliedToFresh);
        var oldSchema = await SchemaAsync(before.DataSource);
        Assert.Contains(oldSchema, line => line.StartsWith("column slo_definition.tenant ", StringComparison.Ordinal));
        Assert.Contains(oldSchema, line => line.StartsWith("column api_token.", StringComparison.Ordinal));
        Assert.Contains(oldSchema, line => line.StartsWith("column incident_alert.tenant ", StringComparison.Ordinal));
        Assert.Equal(oldSchema, await SchemaAsync(fresh.DataSource));
    }

    /// <summary>What the runner did before the move: every script of the one folder in version order, each in its transaction with its row.</summary>
    private static async Task MigrateAsTheOneFolderLayoutDidAsync(NpgsqlDataSource dataSource)
    {
        var scripts = DatabaseSchema.Migrations.ToDictionary(m => m.Version, m => m.Sql);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE schema_version (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var (version, sha256) in OneFolderLayout)
        {
            Assert.Equal(sha256, Sha256(scripts[version]));
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(scripts[version], transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version }, transaction);
            await transaction.CommitAsync();
        }
    }

    /// <summary>The schema as lines: every column with its type, nullability and default, index, constraint, trigger and function.</summary>
    private static async Task<List<string>> SchemaAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var lines = await connection.QueryAsync<string>("""
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
            UNION ALL
            SELECT 'function ' || proname || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
            ORDER BY 1
            """);
        return lines.ToList();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
