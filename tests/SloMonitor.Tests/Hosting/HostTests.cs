using System.Net;
using Dapper;
using SloMonitor.Hosting;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Hosting;

public sealed class HostTests
{
    [Fact]
    public async Task AStartedServiceIsAliveReadyAndExportsItsOwnMetrics()
    {
        await using var service = await TestService.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/healthz")).StatusCode);
        var ready = await service.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var metrics = await service.Http.GetStringAsync("/metrics");
        Assert.Contains("slomon_ready 1", metrics, StringComparison.Ordinal);
        Assert.Contains("slomon_http_requests_total{code=\"2xx\",method=\"GET\",endpoint=\"/readyz\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUpAppliesEveryMigrationAndRecordsItsVersion()
    {
        await using var service = await TestService.StartAsync();

        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        var versions = (await connection.QueryAsync<string>("SELECT version FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(DatabaseSchema.Migrations.Select(s => s.Version).ToList(), versions);
        Assert.NotEmpty(versions);
    }

    [Fact]
    public async Task TwoInstancesMigratingTogetherApplyEachScriptOnce()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var first = DataSourceFactory.Create(database.ConnectionString);
        var second = DataSourceFactory.Create(database.ConnectionString);

        var results = await Task.WhenAll(DatabaseSchema.ApplyAsync(first), DatabaseSchema.ApplyAsync(second));

        Assert.Equal(DatabaseSchema.Migrations.Count, results[0].Count + results[1].Count);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(DatabaseSchema.Migrations.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_version"));
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task AnUnreachableDatabaseDoesNotStopStartUpTheServiceServesDegradedAndSaysWhy()
    {
        var port = TestService.FreePort();
        var environment = ServiceProcess.LoopbackEnvironment($"Host=127.0.0.1;Port={port};Username=nobody;Database=nothing;Timeout=1", httpPort: TestService.FreePort());
        environment["SloMonitor__DatabaseStartupTimeout"] = "00:00:01";
        environment["Auth__MetricsOpen"] = "true"; // no token can be checked without the database
        using var process = ServiceProcess.Start(environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{environment["SloMonitor__HttpPort"]}"), Timeout = TimeSpan.FromSeconds(5) };

        var ready = await ServiceProcess.PollAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));

        Assert.True(ready, process.Output);
        using var body = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/readyz"));
        Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
        Assert.False(body.RootElement.GetProperty("database").GetProperty("up").GetBoolean());
        Assert.Contains("slomon_database_up 0", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
        Assert.Contains($"Cannot reach PostgreSQL at 127.0.0.1:{port}", process.Output, StringComparison.Ordinal);
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task APortInUseStopsStartUpWithOneLineNamingIt()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var busyPort = ((IPEndPoint)busy.LocalEndpoint).Port;
        using var process = ServiceProcess.Start(ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort: busyPort));

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("address already in use", process.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(busyPort.ToString(), process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingSloFileStopsStartUpWithOneLineNamingItAndItsSetting()
    {
        await using var database = await TestDatabase.CreateAsync();
        var missing = Path.Combine(Path.GetTempPath(), "slomonitor-missing-" + Guid.NewGuid().ToString("N"), "slos.yaml");
        var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString);
        environment["Slos__Files__0"] = missing;
        using var process = ServiceProcess.Start(environment);

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"file not found: {missing} (configured as Slos:Files:0)", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAConnectionStringStartUpSaysHowToConfigureOne()
    {
        using var process = ServiceProcess.Start(new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = "" });

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("ConnectionStrings__Postgres", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlCStopsTheServiceCleanly()
    {
        await using var database = await TestDatabase.CreateAsync();
        var httpPort = TestService.FreePort();
        using var process = ServiceProcess.Start(ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort));
        await process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));

        process.Signal("INT");

        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Application is shutting down", process.Output, StringComparison.Ordinal);
    }
}
