using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>Which edits keep an SLO's SLI series, through PUT and apply on the real host.</summary>
public sealed class SloEditHistoryTests
{
    private const string Original = """
        {"service": "pay", "objective": 99, "description": "Payments succeed", "labels": {"team": "payments"},
         "runbookUrl": "https://runbooks.example.com/pay", "sli": {"kind": "availability", "match": "span.kind=\"server\""}}
        """;

    [Fact]
    public async Task EditingOnlyMetadataKeepsTheSeriesAndChangingTheSliOrWindowRestartsThem()
    {
        await using var service = await TestService.StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await SloApplyApiTests.PutAsync(service, "pay-availability", Original)).StatusCode);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "pay", "/pay", 100, 2);
        await service.EvaluateRoundAsync();
        Assert.Equal(100, await TotalAsync(service, "5m"));

        // Description, labels, links and the alerting policy: same series.
        var metadata = await PutAsync(service, """
            {"service": "pay", "objective": 99.5, "description": "Payments go through", "labels": {"team": "payments", "tier": "1"},
             "runbookUrl": "https://runbooks.example.com/pay-v2", "dashboardUrl": "https://grafana.example.com/d/pay",
             "alerting": {"minEvents": 20, "resolveAfter": "15m", "noData": {"after": "30m"}},
             "sli": {"kind": "availability", "match": "span.kind=\"server\""}}
            """);
        Assert.False(metadata["historyRestarts"]!.GetValue<bool>());
        Assert.Equal(100, await TotalAsync(service, "5m"));
        Assert.Equal(2, await BadAsync(service, "1h"));

        var applied = await SloApplyApiTests.ApplyAsync(service, SloApplyApiTests.Files(("pay.yaml", """
            - name: pay-availability
              service: pay
              objective: 99.5
              description: Payments go through
              labels: {team: payments, tier: "1", owner: checkout}
              runbookUrl: https://runbooks.example.com/pay-v2
              dashboardUrl: https://grafana.example.com/d/pay
              alerting: {minEvents: 20, resolveAfter: 15m, noData: {after: 30m}}
              sli: {kind: availability, match: 'span.kind="server"'}
            """)));
        Assert.Equal(HttpStatusCode.OK, applied.Status);
        Assert.Equal("labels.owner", Assert.Single(applied.Slo("pay-availability")["changes"]!.AsArray())!["field"]!.GetValue<string>());
        Assert.False(applied.Slo("pay-availability")["historyRestarts"]!.GetValue<bool>());
        Assert.Equal(100, await TotalAsync(service, "5m"));

        // The SLI: the series start empty, and both answers say so.
        var sli = await PutAsync(service, """{"service": "pay", "objective": 99.5, "sli": {"kind": "availability", "match": "span.kind=\"server\"", "bad": "http.response.status_code=~\"5..\""}}""");
        Assert.True(sli["historyRestarts"]!.GetValue<bool>());
        Assert.Equal(0, await TotalAsync(service, "5m"));
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "pay", "/pay", 10, 0);
        await service.EvaluateRoundAsync();
        Assert.Equal(10, await TotalAsync(service, "5m"));

        var window = await SloApplyApiTests.ApplyAsync(service, SloApplyApiTests.Files(("pay.yaml", """
            - {name: pay-availability, service: pay, objective: 99.5, window: 28d, sli: {kind: availability, match: 'span.kind="server"', bad: 'http.response.status_code=~"5.."'}}
            """)));
        Assert.Equal("window", Assert.Single(window.Slo("pay-availability")["changes"]!.AsArray())!["field"]!.GetValue<string>());
        Assert.True(window.Slo("pay-availability")["historyRestarts"]!.GetValue<bool>());
        Assert.Equal(0, await TotalAsync(service, "5m"));
    }

    [Fact]
    public async Task APutOfANewSloSaysNothingRestarts()
    {
        await using var service = await TestService.StartAsync();

        var created = await PutAsync(service, Original);

        Assert.False(created["historyRestarts"]!.GetValue<bool>());
        Assert.Equal("pay-availability", created["name"]!.GetValue<string>());
    }

    private static async Task<JsonObject> PutAsync(TestService service, string json)
    {
        using var response = await SloApplyApiTests.PutAsync(service, "pay-availability", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<long> TotalAsync(TestService service, string window) => (await WindowAsync(service, window)).GetProperty("total").GetInt64();

    private static async Task<long> BadAsync(TestService service, string window)
    {
        var counts = await WindowAsync(service, window);
        return counts.GetProperty("total").GetInt64() - counts.GetProperty("good").GetInt64();
    }

    private static async Task<JsonElement> WindowAsync(TestService service, string window)
    {
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/pay-availability"));
        return slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty(window).Clone();
    }
}
