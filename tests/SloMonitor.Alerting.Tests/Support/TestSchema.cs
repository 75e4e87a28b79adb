using SloMonitor.Storage;

namespace SloMonitor.Testing;

/// <summary>The migrations a test database gets (<see cref="TestDatabase"/>): alerting's own, in their versions' order.</summary>
internal static class TestSchema
{
    public static IReadOnlyList<(string Version, string Sql)> Migrations { get; } = MigrationRunner.Collect(typeof(Alerting.AlertIngestor).Assembly);
}
