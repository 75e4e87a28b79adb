using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Alerting;

/// <summary>From spans over OTLP to a webhook page, through the real host's SLO engine and alert publisher.</summary>
public sealed class SloPageEndToEndTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99.9
            window: 30d
            labels: {team: payments}
            runbookUrl: https://runbooks.example/checkout
            sli: {kind: availability}
        """;

    [Fact]
    public async Task AFlappingBurnRatePagesOnceWithTheRunbookLinkAndTheTicketStaysInhibited()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            AlertingYaml = $"""
                route:
                  receiver: hook
                  groupBy: [slo, severity]
                  groupWait: 0s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    webhook: {"{"} url: {receiver.Url}hook {"}"}
                """,
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.2", ["Alerting:TickInterval"] = "100ms" },
        });

        // 1.5% errors against a 0.1% budget: burn rate 15 over 5m and 1h, above the page threshold 14.4.
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 15);
        await receiver.WaitUntilAsync(r => r.Count >= 1, TimeSpan.FromSeconds(20));

        // The burn rate falls below the threshold and rises again, twice; the SLO engine holds the page for resolveAfter.
        for (var flap = 0; flap < 2; flap++)
        {
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 5000, 0);
            await WaitForBurnRateAsync(service, rate => rate < 14.4);
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 100);
            await WaitForBurnRateAsync(service, rate => rate > 14.4);
        }

        // Several evaluation rounds and group intervals pass; nothing more may be sent.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var body = Assert.Single(receiver.Requests).Body;
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal("firing", page.GetProperty("status").GetString());
        var alert = Assert.Single(page.GetProperty("alerts").EnumerateArray());
        Assert.Equal("page", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal("payments", alert.GetProperty("labels").GetProperty("team").GetString());
        Assert.Equal("https://runbooks.example/checkout", alert.GetProperty("annotations").GetProperty("runbook_url").GetString());
        Assert.Contains("checkout-availability", alert.GetProperty("annotations").GetProperty("dashboard_url").GetString(), StringComparison.Ordinal);

        // One incident: the page's, which the inhibited ticket joined.
        var incidents = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?slo=checkout-availability")).EnumerateArray().ToList();
        var incident = Assert.Single(incidents);
        Assert.Equal("page", incident.GetProperty("severity").GetString());
        var detail = await service.Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}");
        Assert.Equal(["page", "ticket"], detail.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("labels").GetProperty("severity").GetString()));
        Assert.Contains(detail.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() == "joined");
    }

    private static async Task WaitForBurnRateAsync(TestService service, Func<double, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var slo = await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/slos/checkout-availability");
            var rate = slo.GetProperty("status").GetProperty("windows").GetProperty("5m").GetProperty("burnRate").GetDouble();
            if (condition(rate))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the 5m burn rate stayed at {rate}");
            await Task.Delay(100);
        }
    }
}
