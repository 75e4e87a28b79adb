using System.Diagnostics;
using System.Globalization;
using Dapper;
using Xunit.Abstractions;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// Three real <c>SloMonitor</c> processes on 127.0.0.1 in <c>Cluster:Mode=postgres</c> on one PostgreSQL database: they
/// form one cluster, and one killed with SIGKILL (it writes nothing on its way out) is declared dead by the others.
/// </summary>
public sealed class ClusterProcessTests(ITestOutputHelper output)
{
    private const string ClusterId = "process-cluster";

    [Fact]
    public async Task ThreeProcessesFormOneClusterAndOneKilledIsDeclaredDeadByTheOtherTwo()
    {
        await using var database = await TestDatabase.CreateAsync();
        var directory = Directory.CreateTempSubdirectory("slomonitor-cluster-").FullName;
        var processes = new List<(ServiceProcess Process, int SiloPort, HttpClient Http)>();
        try
        {
            File.WriteAllText(Path.Combine(directory, "slos.yaml"), """
                slos:
                  - name: orders-availability
                    service: orders
                    objective: 99.9
                    sli: {kind: availability}
                """);
            for (var i = 0; i < 3; i++)
            {
                var httpPort = TestService.FreePort();
                var siloPort = TestService.FreePort();
                var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort);
                environment["Slos__Files__0"] = Path.Combine(directory, "slos.yaml");
                environment["Cluster__Mode"] = "postgres";
                environment["Cluster__ClusterId"] = ClusterId;
                environment["Cluster__AdvertisedAddress"] = "127.0.0.1";
                environment["Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
                environment["Cluster__GatewayPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture);
                processes.Add((ServiceProcess.Start(environment), siloPort, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(5) }));
            }

            foreach (var (process, _, http) in processes)
            {
                Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(90)), process.Output);
            }

            // Ready means joined: the three are active members.
            var ports = processes.Select(p => p.SiloPort).Order().ToArray();
            Assert.Equal(ports.Select(port => (port, 3)), await RowsAsync(database)); // 3: Orleans' SiloStatus.Active

            var (killed, killedPort, _) = processes[2];
            killed.Signal("KILL");
            Assert.Equal(137, await killed.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            var clock = Stopwatch.StartNew();
            Assert.Contains((killedPort, 3), await RowsAsync(database)); // it wrote nothing on its way out
            Assert.True(
                await ServiceProcess.PollAsync(async () => (await RowsAsync(database)).Contains((killedPort, 6)), TimeSpan.FromSeconds(120)), // 6: Dead
                $"the killed silo was not declared dead within 120 s:\n{processes[0].Process.Output}");
            var declaredAfter = clock.Elapsed;
        output.WriteLine($"declared dead {declaredAfter.TotalSeconds:F1} s after the kill");

            Assert.Equal(2, (await RowsAsync(database)).Count(row => row.Status == 3));
            foreach (var (process, _, http) in processes.Take(2))
            {
                Assert.False(process.HasExited, process.Output);
                Assert.True((await http.GetAsync("readyz")).IsSuccessStatusCode);
            }

            // Three missed probes of Cluster:ProbeTimeout (2 s; fewer when the port refuses at once) and the votes: within
            // the 10 s in which a dead instance's SLOs must answer again.
            Assert.True(declaredAfter < TimeSpan.FromSeconds(10), $"declared dead after {declaredAfter}");
        }
        finally
        {
            foreach (var (process, _, http) in processes)
            {
                process.Dispose();
                http.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<List<(int Port, int Status)>> RowsAsync(TestDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<(int, int)>("SELECT port, status FROM cluster_member WHERE cluster_id = @ClusterId ORDER BY port", new { ClusterId })];
    }
}
