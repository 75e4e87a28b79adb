using System.Net;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// The real executable started while its PostgreSQL is down, which comes up later. The token it is asked with was
/// validated by an earlier run, which kept it in its token cache file: that is what lets a restart during an outage
/// go on taking ingest and API calls.
/// </summary>
public sealed class DatabaseOutageStartTests
{
    [Fact]
    public async Task TheServiceStartsWithoutItsDatabaseServesIngestAndFileSlosAndAddsTheDatabaseCheckpointWhenItComesUp()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        var directory = Directory.CreateTempSubdirectory("slomonitor-nodb-").FullName;
        try
        {
            var (environment, otlpPort, httpPort) = Environment(postgres, directory);
            using var http = await ServiceProcess.AdminClientAsync(postgres.ConnectionString, httpPort, otlpPort);
            await RunEarlierAsync(environment, http, new Uri($"http://127.0.0.1:{otlpPort}"));

            // A new machine: the local checkpoint journal did not come along, only the database holds the 300 events.
            File.Delete(environment["Slos__LocalCheckpointFile"]);
            await postgres.StopAsync();
            using var service = ServiceProcess.Start(environment);

            Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60)), service.Output);
            Assert.False(await DatabaseUpAsync(http));
            await OtlpPush.SpansAsync(new Uri($"http://127.0.0.1:{otlpPort}"), "orders", "/api/orders", 400, 4);
            Assert.True(await ServiceProcess.PollAsync(async () => await TotalAsync(http) == 400, TimeSpan.FromSeconds(30)), service.Output);
            using (var refused = await http.PutAsync("api/v1/slos/cart", Json()))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Contains("database is unavailable", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.NotNull(refused.Headers.RetryAfter);
            }

            var degraded = await http.GetStringAsync("metrics");
            Assert.Contains("slomon_database_errors_total{operation=\"request\"} 1", degraded, StringComparison.Ordinal);
            Assert.Contains("slomon_database_errors_total{operation=\"migrate\"}", degraded, StringComparison.Ordinal);

            await postgres.RestartAsync();
            Assert.True(await ServiceProcess.PollAsync(() => DatabaseUpAsync(http), TimeSpan.FromSeconds(60)), service.Output);
            using (var created = await http.PutAsync("api/v1/slos/cart", Json()))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            // The database's checkpoint is added to what was recorded meanwhile: all 700 events, none twice.
            Assert.True(await ServiceProcess.PollAsync(async () => await TotalAsync(http) == 700, TimeSpan.FromSeconds(30)), service.Output);
            Assert.Contains("Added 1 SLI series checkpointed in PostgreSQL", service.Output, StringComparison.Ordinal);
            Assert.Contains("slomon_database_up 1", await http.GetStringAsync("metrics"), StringComparison.Ordinal);
            Assert.False(service.HasExited);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AProcessKilledBeforeItsDatabaseCameBackStillGetsTheDatabaseCheckpointAddedAtTheNextStart()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        var directory = Directory.CreateTempSubdirectory("slomonitor-nodb-").FullName;
        try
        {
            var (environment, otlpPort, httpPort) = Environment(postgres, directory);
            environment["Slos__LocalCheckpointInterval"] = "00:00:00.500";
            var otlp = new Uri($"http://127.0.0.1:{otlpPort}");
            using var http = await ServiceProcess.AdminClientAsync(postgres.ConnectionString, httpPort, otlpPort);
            await RunEarlierAsync(environment, http, otlp);

            File.Delete(environment["Slos__LocalCheckpointFile"]);
            await postgres.StopAsync();
            using (var killed = ServiceProcess.Start(environment))
            {
                Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60)), killed.Output);
                await OtlpPush.SpansAsync(otlp, "orders", "/api/orders", 400, 4);
                Assert.True(await ServiceProcess.PollAsync(async () => await TotalAsync(http) == 400, TimeSpan.FromSeconds(30)), killed.Output);
                await Task.Delay(TimeSpan.FromSeconds(2)); // past a journal write
                killed.Kill();
            }

            // Its journal holds only the 400 events recorded since the database was last read, and says so.
            await postgres.RestartAsync();
            using var service = ServiceProcess.Start(environment);
            Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60)), service.Output);
            Assert.True(await ServiceProcess.PollAsync(async () => await TotalAsync(http) == 700, TimeSpan.FromSeconds(30)), service.Output);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(700, await TotalAsync(http));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The real executable's settings: one file SLO, fast evaluation, and quick retries of the database.</summary>
    private static (Dictionary<string, string> Environment, int OtlpPort, int HttpPort) Environment(OwnedPostgres postgres, string directory)
    {
        File.WriteAllText(Path.Combine(directory, "slos.yaml"), "- {name: orders-availability, service: orders, objective: 99, sli: {kind: availability}}\n");
        var otlpPort = TestService.FreePort();
        var httpPort = TestService.FreePort();
        var environment = ServiceProcess.LoopbackEnvironment(postgres.ConnectionString, httpPort, otlpPort);
        environment["Slos__Files__0"] = Path.Combine(directory, "slos.yaml");
        environment["Slos__EvaluationInterval"] = "00:00:00.500";
        environment["Slos__FileCheckInterval"] = "00:00:00.500";
        environment["SloMonitor__DatabaseStartupTimeout"] = "00:00:01";
        environment["SloMonitor__DatabaseRetryMaxDelay"] = "00:00:01";
        environment["SloMonitor__DatabaseProbeInterval"] = "00:00:01";
        environment["Auth__TokenRefreshInterval"] = "00:00:01";
        return (environment, otlpPort, httpPort);
    }

    /// <summary>
    /// A run with the database up: its token is validated and cached, 300 events are recorded, and its shutdown writes
    /// the SLI checkpoint to PostgreSQL.
    /// </summary>
    private static async Task RunEarlierAsync(Dictionary<string, string> environment, HttpClient http, Uri otlp)
    {
        using var earlier = ServiceProcess.Start(environment);
        Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("api/v1/slos")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60)), earlier.Output);
        Assert.True(await ServiceProcess.PollAsync(() => Task.FromResult(File.Exists(environment["Auth__TokenCacheFile"])), TimeSpan.FromSeconds(30)), earlier.Output);
        await OtlpPush.SpansAsync(otlp, "orders", "/api/orders", 300, 30);
        Assert.True(await ServiceProcess.PollAsync(async () => await TotalAsync(http) == 300, TimeSpan.FromSeconds(30)), earlier.Output);
        earlier.Signal("INT");
        Assert.Equal(0, await earlier.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static StringContent Json() =>
        new("""{"service": "cart", "objective": 99, "sli": {"kind": "availability"}}""", Encoding.UTF8, "application/json");

    private static async Task<bool> DatabaseUpAsync(HttpClient http)
    {
        using var ready = JsonDocument.Parse(await http.GetStringAsync("readyz"));
        var database = ready.RootElement.GetProperty("database");
        return database.GetProperty("up").GetBoolean() && database.GetProperty("migrated").GetBoolean();
    }

    private static async Task<long> TotalAsync(HttpClient http)
    {
        using var slo = JsonDocument.Parse(await http.GetStringAsync("api/v1/slos/orders-availability"));
        return slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64();
    }
}
