using SloMonitor.Hosting;

namespace SloMonitor.Testing;

/// <summary>The migrations a test database gets (<see cref="TestDatabase"/>): the service's whole schema.</summary>
internal static class TestSchema
{
    public static IReadOnlyList<(string Version, string Sql)> Migrations => DatabaseSchema.Migrations;
}
