using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Alerting;

/// <summary>
/// The real executable, PostgreSQL down, killed with SIGKILL while a page sits undelivered in its local spool (the
/// receiver refuses it), then started again with the database still down: the page is delivered once, under the key
/// it was decided with, and moves into PostgreSQL when it answers.
/// </summary>
public sealed class KilledProcessSpoolTests
{
    [Fact]
    public async Task APageSpooledAndNotDeliveredWhenTheServiceIsKilledIsDeliveredOnceAfterItStartsAgain()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Status = 503;
        var directory = Directory.CreateTempSubdirectory("slomonitor-spool-kill-").FullName;
        try
        {
            var routing = Path.Combine(directory, "alerting.yaml");
            await File.WriteAllTextAsync(routing, $"""
                route:
                  receiver: hook
                  groupWait: 0s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    timeout: 2s
                    webhook:
                      url: {receiver.Url}hook
                """);
            var httpPort = TestService.FreePort();
            var environment = ServiceProcess.LoopbackEnvironment(postgres.ConnectionString, httpPort);
            environment["Slos__LocalCheckpointFile"] = Path.Combine(directory, "data", "sli-checkpoint.journal");
            environment["Alerting__File"] = routing;
            environment["Alerting__TickInterval"] = "100ms";
            environment["Alerting__Delivery__InitialBackoff"] = "200ms";
            environment["Alerting__Delivery__MaxBackoff"] = "500ms";
            environment["Alerting__Delivery__Deadline"] = "5m";
            environment["SloMonitor__DatabaseStartupTimeout"] = "00:00:01";
            environment["SloMonitor__DatabaseRetryMaxDelay"] = "00:00:01";
            environment["SloMonitor__DatabaseProbeInterval"] = "00:00:01";
            environment["Auth__TokenRefreshInterval"] = "00:00:01";
            using var http = await ServiceProcess.AdminClientAsync(postgres.ConnectionString, httpPort);
            var alert = new[]
            {
                new { labels = new Dictionary<string, string> { ["alertname"] = "CheckoutDown", ["slo"] = "checkout", ["severity"] = "page" } },
            };

            using (var first = ServiceProcess.Start(environment))
            {
                // The sender's token is known before PostgreSQL goes away (and kept in the token cache file for the
                // restart), as it is for a sender that has been posting alerts all along.
                Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("api/v1/whoami")).IsSuccessStatusCode, TimeSpan.FromSeconds(60)), first.Output);
                Assert.True(await ServiceProcess.PollAsync(() => Task.FromResult(File.Exists(environment["Auth__TokenCacheFile"])), TimeSpan.FromSeconds(30)), first.Output);
                await postgres.StopAsync();
                using (var posted = await http.PostAsJsonAsync("api/v2/alerts", alert))
                {
                    Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
                }

                await receiver.WaitUntilAsync(r => r.Count >= 2, TimeSpan.FromSeconds(30));
                Assert.True(File.Exists(Path.Combine(directory, "data", "notification-spool.log")));
                first.Signal("KILL");
                Assert.Equal(137, await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            }

            receiver.Status = 200;
            var refused = receiver.Requests.Count;
            using var second = ServiceProcess.Start(environment);
            await receiver.WaitUntilAsync(r => r.Any(x => x.Answered == 200), TimeSpan.FromSeconds(60));
            Assert.True(receiver.Requests.Count > refused);

            // The sender reports the alert again, as Prometheus does: it is no new page.
            Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(30)), second.Output);
            using (var again = await http.PostAsJsonAsync("api/v2/alerts", alert))
            {
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(receiver.Requests, r => r.Answered == 200);
            Assert.Single(receiver.Requests.Select(r => r.Header("Idempotency-Key")).Distinct());

            // PostgreSQL comes back: the delivered page is recorded as delivered, with its incident, and not sent again.
            await postgres.RestartAsync();
            Assert.True(await ServiceProcess.PollAsync(async () =>
            {
                using var response = await http.GetAsync("api/v1/incidents");
                return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength() == 1;
            }, TimeSpan.FromSeconds(60)), second.Output);
            await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
            Assert.True(await ServiceProcess.PollAsync(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                return await connection.ExecuteScalarAsync<string?>("SELECT state FROM notification_outbox") == "delivered";
            }, TimeSpan.FromSeconds(30)), second.Output);
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                Assert.Equal(receiver.Requests[0].Header("Idempotency-Key"), await connection.ExecuteScalarAsync<string>("SELECT dedup_key FROM notification_outbox"));
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Single(receiver.Requests, r => r.Answered == 200);
            Assert.False(second.HasExited);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
