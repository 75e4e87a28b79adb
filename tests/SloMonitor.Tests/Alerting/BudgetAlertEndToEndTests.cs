using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Alerting;

/// <summary>From spans over OTLP to a budget-exhaustion ticket at a webhook, through the real host's engine, publisher and alerting.</summary>
public sealed class BudgetAlertEndToEndTests
{
    [Fact]
    public async Task ABudgetForecastToRunOutWithinADayReachesTheWebhookWithTheForecastAndOpensAnIncident()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = """
                slos:
                  - name: checkout-availability
                    service: checkout
                    objective: 90
                    window: 30d
                    sli: {kind: availability}
                    alerting:
                      budgetExhaustion: {window: 1h, within: 1d, severity: ticket}
                """,
            AlertingYaml = $"""
                route:
                  receiver: hook
                  groupBy: [slo, alertname]
                  groupWait: 0s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    webhook: {"{"} url: {receiver.Url}hook {"}"}
                """,
            Settings = { ["Slos:EvaluationInterval"] = "01:00:00", ["Alerting:TickInterval"] = "100ms" },
        });

        // 98 errors in 1,000 against a 10 % budget: a burn rate of 0.98, under every burn-rate pair's threshold, but
        // only 2 % of the budget is left, which lasts 0.02 × 30 d ÷ 0.98 ≈ 14.7 hours at that rate. The round runs
        // once the whole request is in (a round in the middle of it would see the errors, which come first, alone).
        var pushed = DateTimeOffset.UtcNow;
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 98);
        await service.EvaluateRoundAsync();
        await receiver.WaitUntilAsync(r => r.Count >= 1, TimeSpan.FromSeconds(20));

        var notification = JsonDocument.Parse(receiver.Requests[0].Body).RootElement;
        var alert = Assert.Single(notification.GetProperty("alerts").EnumerateArray());
        var labels = alert.GetProperty("labels");
        Assert.Equal("SloErrorBudgetExhaustion", labels.GetProperty("alertname").GetString());
        Assert.Equal("ticket", labels.GetProperty("severity").GetString());
        Assert.Equal("checkout-availability", labels.GetProperty("slo").GetString());
        var annotations = alert.GetProperty("annotations");
        Assert.Equal(0.02, double.Parse(annotations.GetProperty("budget_remaining_ratio").GetString()!, CultureInfo.InvariantCulture), 9);
        var exhaustsAt = DateTimeOffset.Parse(annotations.GetProperty("budget_exhausts_at").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(exhaustsAt, pushed.AddHours(14.6), DateTimeOffset.UtcNow.AddHours(14.8));

        var slo = await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/slos/checkout-availability");
        var rule = Assert.Single(slo.GetProperty("alerting").GetProperty("budgetExhaustion").EnumerateArray());
        Assert.Equal(("1h", "1d", "ticket"), (rule.GetProperty("window").GetString(), rule.GetProperty("within").GetString(), rule.GetProperty("severity").GetString()));
        var active = Assert.Single(slo.GetProperty("status").GetProperty("alerts").EnumerateArray());
        Assert.Equal("budgetExhaustion", active.GetProperty("kind").GetString());

        var incident = Assert.Single((await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?slo=checkout-availability")).EnumerateArray());
        Assert.Equal("ticket", incident.GetProperty("severity").GetString());
    }
}
