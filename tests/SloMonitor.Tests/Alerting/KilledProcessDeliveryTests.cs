using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Alerting;

/// <summary>
/// The real built executable, killed with SIGKILL while a notification is pending, then started again on the
/// same database: the notification is delivered, under the same dedup key.
/// </summary>
public sealed class KilledProcessDeliveryTests
{
    [Fact]
    public async Task ANotificationPendingWhenTheServiceIsKilledIsDeliveredAfterItStartsAgain()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Status = 503;
        var directory = Directory.CreateTempSubdirectory("slomonitor-kill-").FullName;
        var routing = Path.Combine(directory, "alerting.yaml");
        await File.WriteAllTextAsync(routing, $"""
            route:
              receiver: hook
              groupWait: 0s
              groupInterval: 1m
            receivers:
              - name: hook
                timeout: 2s
                webhook:
                  url: {receiver.Url}hook
            """);
        var httpPort = TestService.FreePort();
        var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort);
        environment["Alerting__File"] = routing;
        environment["Alerting__TickInterval"] = "100ms";
        environment["Alerting__Delivery__InitialBackoff"] = "200ms";
        environment["Alerting__Delivery__MaxBackoff"] = "500ms";
        environment["Alerting__Delivery__Deadline"] = "5m";
        using var http = await ServiceProcess.AdminClientAsync(database.ConnectionString, httpPort);
        var started = new List<Process>();
        try
        {
            var first = Start(environment, started);
            await WaitReadyAsync(http, first);
            var alert = new[]
            {
                new { labels = new Dictionary<string, string> { ["alertname"] = "CheckoutDown", ["slo"] = "checkout", ["severity"] = "page" } },
            };
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/v2/alerts", alert)).StatusCode);
            await receiver.WaitUntilAsync(r => r.Count >= 2, TimeSpan.FromSeconds(20));

            using var kill = Process.Start("kill", ["-KILL", first.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await first.WaitForExitAsync();
            Assert.Equal(137, first.ExitCode);

            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                Assert.Equal("pending", await connection.ExecuteScalarAsync<string>("SELECT state FROM notification_outbox"));
            }

            receiver.Status = 200;
            var attemptsBeforeRestart = receiver.Requests.Count;
            var second = Start(environment, started);
            await WaitReadyAsync(http, second);
            await receiver.WaitUntilAsync(r => r.Any(x => x.Answered == 200), TimeSpan.FromSeconds(30));

            Assert.True(receiver.Requests.Count > attemptsBeforeRestart);
            Assert.Single(receiver.Requests.Select(r => r.Header("Idempotency-Key")).Distinct());
            Assert.Single(receiver.Requests, r => r.Answered == 200);
            var incidents = JsonDocument.Parse(await http.GetStringAsync("/api/v1/incidents")).RootElement;
            var id = Assert.Single(incidents.EnumerateArray()).GetProperty("id").GetInt64();
            // The receiver has answered; the outcome is recorded right after.
            List<string?> kinds;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            do
            {
                kinds = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/incidents/{id}")).RootElement.GetProperty("timeline")
                    .EnumerateArray().Select(t => t.GetProperty("kind").GetString()).ToList();
                await Task.Delay(kinds[^1] == "notified" ? 0 : 100);
            }
            while (kinds[^1] != "notified" && DateTime.UtcNow < deadline);

            Assert.Contains("notify_failed", kinds);
            Assert.Equal("notified", kinds[^1]);
            Assert.Single(kinds, k => k == "notified");
        }
        finally
        {
            // The processes are disposed only here, after the kill: a disposed Process can no longer be killed.
            foreach (var process in started)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }

                process.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static Process Start(IReadOnlyDictionary<string, string> environment, List<Process> started)
    {
        // tests/SloMonitor.Tests/bin/<Configuration>/net10.0/ → src/SloMonitor/bin/<Configuration>/net10.0/SloMonitor
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var executable = Path.Combine(root, "src", "SloMonitor", "bin", configuration, "net10.0", "SloMonitor");
        Assert.True(File.Exists(executable), $"{executable} is missing: build src/SloMonitor first");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        started.Add(process);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process process)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            Assert.False(process.HasExited, "the service exited during start-up");
            try
            {
                using var response = await http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the service did not become ready within 30s");
    }
}
