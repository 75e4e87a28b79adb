using System.Globalization;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>
/// The real executable killed with SIGKILL after spans were accepted, then started again with the same database and
/// local data: the SLI windows come back from the local checkpoint journal, and a page decided before the kill goes
/// out once.
/// </summary>
public sealed class KilledProcessSliTests
{
    private const string Slos = """
        slos:
          - name: orders-availability
            service: orders
            objective: 99.9
            sli: {kind: availability}
          - name: pay-availability
            service: pay
            objective: 99.9
            sli: {kind: availability}
        """;

    [Fact]
    public async Task EventsAcceptedBeforeASigkillAreInTheWindowsAfterTheRestartAndAPageDecidedBeforeItGoesOutOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await RecordingReceiver.StartAsync();
        var directory = Directory.CreateTempSubdirectory("slomonitor-sigkill-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "slos.yaml"), Slos);
            File.WriteAllText(Path.Combine(directory, "alerting.yaml"), $"""
                route:
                  receiver: hook
                  groupWait: 0s
                receivers:
                  - name: hook
                    webhook:
                      url: {receiver.Url}hook
                """);
            var otlpPort = TestService.FreePort();
            var httpPort = TestService.FreePort();
            var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort, otlpPort);
            environment["Slos__Files__0"] = Path.Combine(directory, "slos.yaml");
            environment["Alerting__File"] = Path.Combine(directory, "alerting.yaml");
            environment["Alerting__TickInterval"] = "100ms";
            environment["Slos__EvaluationInterval"] = "00:00:00.500";
            environment["Slos__CheckpointInterval"] = "01:00:00"; // only the local journal can bring the events back
            var otlp = new Uri($"http://127.0.0.1:{otlpPort}");
            using var http = await ServiceProcess.AdminClientAsync(database.ConnectionString, httpPort, otlpPort);

            using (var first = ServiceProcess.Start(environment))
            {
                Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60)), first.Output);
                for (var batch = 0; batch < 3; batch++)
                {
                    await OtlpPush.SpansAsync(otlp, "orders", "/api/orders", 1000, 0);
                }

                await OtlpPush.SpansAsync(otlp, "pay", "/api/pay", 1000, 500);
                Assert.True(await ServiceProcess.PollAsync(async () => await StateAsync(http, "pay-availability") == "page", TimeSpan.FromSeconds(30)), first.Output);

                // Two journal writes after the last accepted span: the events are on disk now.
                var written = await JournalWritesAsync(http);
                Assert.True(await ServiceProcess.PollAsync(async () => await JournalWritesAsync(http) >= written + 2, TimeSpan.FromSeconds(30)), first.Output);
                first.Signal("KILL");
                Assert.Equal(137, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            using var second = ServiceProcess.Start(environment);
            Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60)), second.Output);
            using var orders = JsonDocument.Parse(await http.GetStringAsync("api/v1/slos/orders-availability"));
            Assert.Equal(3000, orders.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
            Assert.Equal("page", await StateAsync(http, "pay-availability"));

            // Delivered by one process or the other, but once.
            await receiver.WaitUntilAsync(r => r.Any(x => Firing(x, "pay-availability")), TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Single(receiver.Requests, x => Firing(x, "pay-availability"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static bool Firing(RecordedRequest request, string slo) =>
        request.Json.GetProperty("status").GetString() == "firing"
        && request.Json.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("labels").TryGetProperty("slo", out var name) && name.GetString() == slo && a.GetProperty("labels").GetProperty("severity").GetString() == "page");

    private static async Task<string?> StateAsync(HttpClient http, string slo)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("api/v1/slos/" + slo));
        return document.RootElement.GetProperty("status").GetProperty("state").GetString();
    }

    private static async Task<double> JournalWritesAsync(HttpClient http)
    {
        var metrics = await http.GetStringAsync("metrics");
        const string Prefix = "slomon_checkpoint_duration_seconds_count{target=\"local\"} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[Prefix.Length..], CultureInfo.InvariantCulture);
    }
}
