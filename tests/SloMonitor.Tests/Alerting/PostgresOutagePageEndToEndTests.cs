using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Alerting;

/// <summary>
/// The real host on a PostgreSQL of the test's own, stopped as an SLO starts burning and started again 60 s (or <c>SLOMONITOR_OUTAGE_SECONDS</c>) later: the page reaches a loopback receiver during the outage, once in all, and the incident and its timeline are
/// written on recovery with the times things happened.
/// </summary>
public sealed class PostgresOutagePageEndToEndTests
{
    /// <summary>60 s in the suite; <c>SLOMONITOR_OUTAGE_SECONDS=600</c> runs the 10-minute outage (docs/alerting.md).</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("SLOMONITOR_OUTAGE_SECONDS"), CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 60);

    [Fact]
    public async Task AnSloBurningWhilePostgresIsDownPagesDuringTheOutageOnceAndItsIncidentAppearsWithItsRealTimesAfterRecovery()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            ConnectionString = postgres.ConnectionString,
            SloYaml = """
                slos:
                  - name: checkout-availability
                    service: checkout
                    objective: 99.9
                    sli: {kind: availability}
                """,
            AlertingYaml = $"""
                route:
                  receiver: hook
                  groupBy: [slo, severity]
                  groupWait: 2s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    webhook: {"{"} url: {receiver.Url}hook {"}"}
                """,
            Settings =
            {
                ["Slos:EvaluationInterval"] = "00:00:00.2",
                ["Alerting:TickInterval"] = "100ms",
                ["SloMonitor:DatabaseProbeInterval"] = "00:00:01",
            },
        });

        // PostgreSQL stops, and right after that half of the requests fail against a 0.1% budget: a burn rate of 500.
        // A round may see the first one or two failures of the batch before the rest (a ticket's burn rate, not yet a
        // page's): the group wait lets the page that follows inhibit that ticket before anything is sent, as in
        // production.
        // The exporter's and the on-call engineer's tokens have been used before the outage, as in production.
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 200, 0);
        (await service.Http.GetAsync("/api/v1/whoami")).EnsureSuccessStatusCode();
        await postgres.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 600);

        await receiver.WaitUntilAsync(r => r.Count >= 1, TimeSpan.FromSeconds(30));
        var page = receiver.Requests[0];
        var pagedAt = DateTimeOffset.UtcNow;
        Assert.Equal(200, page.Answered);
        Assert.Equal("firing", page.Json.GetProperty("status").GetString());
        Assert.Equal("page", Assert.Single(page.Json.GetProperty("alerts").EnumerateArray()).GetProperty("labels").GetProperty("severity").GetString());

        // SLO state stays readable from memory during the outage; the incidents need the database.
        var slo = await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/slos/checkout-availability");
        Assert.Equal("page", slo.GetProperty("status").GetProperty("state").GetString());
        using (var incidents = await service.Http.GetAsync("/api/v1/incidents"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, incidents.StatusCode);
        }

        // Through the rest of the outage ingest is taken, the probes answer 200 and the state stays readable.
        while (DateTimeOffset.UtcNow < stoppedAt + Outage)
        {
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 20, 10);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await service.Http.GetAsync("/healthz")).StatusCode);
            using (var ready = await service.Http.GetAsync("/readyz"))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
                Assert.True(DateTimeOffset.UtcNow < stoppedAt + TimeSpan.FromSeconds(5) || (await ready.Content.ReadAsStringAsync()).Contains("\"degraded\"", StringComparison.Ordinal));
            }

            slo = await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/slos/checkout-availability");
            Assert.Equal("page", slo.GetProperty("status").GetProperty("state").GetString());
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, Math.Max(0, (stoppedAt + Outage - DateTimeOffset.UtcNow).TotalSeconds))));
        }

        Assert.Single(receiver.Requests);
        await postgres.RestartAsync();
        var restartedAt = DateTimeOffset.UtcNow;

        JsonElement incident = default;
        Assert.True(await ServiceProcess.PollAsync(async () =>
        {
            using var response = await service.Http.GetAsync("/api/v1/incidents?slo=checkout-availability");
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            var list = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
            if (list.Count == 0)
            {
                return false;
            }

            incident = Assert.Single(list);
            return true;
        }, TimeSpan.FromSeconds(60)));

        var openedAt = Time(incident.GetProperty("openedAt"));
        Assert.InRange(openedAt, stoppedAt, pagedAt);
        JsonElement detail = default;
        Assert.True(await ServiceProcess.PollAsync(async () =>
        {
            detail = await service.Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}");
            return detail.GetProperty("timeline").EnumerateArray().Any(t => t.GetProperty("kind").GetString() == "notified");
        }, TimeSpan.FromSeconds(30)));
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(openedAt, Time(timeline.Single(t => t.GetProperty("kind").GetString() == "created").GetProperty("at")));
        var notified = timeline.Single(t => t.GetProperty("kind").GetString() == "notified");
        Assert.InRange(Time(notified.GetProperty("at")), stoppedAt, pagedAt);
        Assert.Equal(page.Header("Idempotency-Key"), notified.GetProperty("details").GetProperty("dedupKey").GetString());
        Assert.Equal(["page", "ticket"], detail.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("labels").GetProperty("severity").GetString()));
        Assert.All(timeline, t => Assert.True(Time(t.GetProperty("at")) < restartedAt, $"{t} is dated after the recovery"));

        // Evaluation rounds and group intervals go on with the database back: nothing more is sent.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(receiver.Requests);
        var metrics = await service.Http.GetStringAsync("/metrics");
        Assert.Contains("slomon_notification_spool_depth 0", metrics, StringComparison.Ordinal);
    }

    private static DateTimeOffset Time(JsonElement value) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture);
}
