using SloMonitor.Storage;

namespace SloMonitor.Testing;

/// <summary>The migrations a cluster test database gets: the cluster membership's, which stand alone.</summary>
internal static class TestSchema
{
    public static IReadOnlyList<(string Version, string Sql)> Migrations { get; } = MigrationRunner.Collect(typeof(Cluster.ClusterSettings).Assembly);
}
