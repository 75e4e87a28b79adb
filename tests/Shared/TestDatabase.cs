using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Testing;

/// <summary>
/// A fresh, migrated database on the PostgreSQL server that <c>./test.sh</c> starts. The server's admin
/// connection string comes from <c>SLOMONITOR_TEST_POSTGRES</c>; without it the test fails (it never skips), since
/// these tests exist to run against a real server.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    public const string Variable = "SLOMONITOR_TEST_POSTGRES";

    private TestDatabase(string name, string connectionString, NpgsqlDataSource dataSource)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests with ./test.sh, which starts a private PostgreSQL server.");

    public static async Task<TestDatabase> CreateAsync(bool migrate = true)
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        var dataSource = DataSourceFactory.Create(connectionString, "slomonitor-tests");
        if (migrate)
        {
            await MigrationRunner.ApplyAsync(dataSource, TestSchema.Migrations);
        }

        return new TestDatabase(name, connectionString, dataSource);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
