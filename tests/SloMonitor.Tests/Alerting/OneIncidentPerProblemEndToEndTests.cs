using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Alerting;

/// <summary>A fast burn pushed over OTLP into the real host: the page and the ticket it inhibits are one incident.</summary>
public sealed class OneIncidentPerProblemEndToEndTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99.9
            window: 30d
            sli: {kind: availability}
          - name: orders-availability
            service: orders
            objective: 99.9
            window: 30d
            groupBy: [http.route]
            sli: {kind: availability}
        """;

    [Fact]
    public async Task AFastBurnGivesExactlyOneOpenIncidentPerSloAndPerGroupHoldingItsPageAndItsTicket()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.2", ["Alerting:TickInterval"] = "100ms" },
        });

        // 2% errors against a 0.1% budget: burn rate 20 over every window, so both the page and the ticket fire.
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 20);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "orders", "/api/orders", 1000, 20);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "orders", "/api/refunds", 1000, 20);
        var alerts = await Poll.UntilAsync(
            async () => (await service.Http.GetFromJsonAsync<JsonElement>("/api/v2/alerts?filter=alertname%3DSloErrorBudgetBurn")).EnumerateArray().ToList(),
            a => a.Count == 8, TimeSpan.FromSeconds(20), "a page and a ticket for each SLO and each group");
        Assert.Equal(4, alerts.Count(a => a.GetProperty("labels").GetProperty("severity").GetString() == "ticket"));

        // One incident for checkout; for orders one for the SLO as a whole and one for each of its two groups.
        var open = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?state=triggered")).EnumerateArray().ToList();
        Assert.Equal(4, open.Count);
        Assert.All(open, i => Assert.Equal("page", i.GetProperty("severity").GetString()));
        Assert.Single(open, i => i.GetProperty("slo").GetString() == "checkout-availability");
        Assert.Equal(3, open.Count(i => i.GetProperty("slo").GetString() == "orders-availability"));
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?state=resolved")).EnumerateArray());

        var routes = new List<string>();
        foreach (var incident in open)
        {
            var detail = await service.Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}");
            var members = detail.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("labels")).ToList();
            Assert.Equal(["page", "ticket"], members.Select(l => l.GetProperty("severity").GetString()));
            Assert.Single(members.Select(l => l.TryGetProperty("http_route", out var r) ? r.GetString() : null).Distinct());
            routes.Add(members[0].TryGetProperty("http_route", out var route) ? route.GetString()! : "-");
            var joined = Assert.Single(detail.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() == "joined");
            Assert.Equal(incident.GetProperty("fingerprint").GetString(), joined.GetProperty("details").GetProperty("inhibitedBy").GetString());
        }

        Assert.Equal(["-", "-", "/api/orders", "/api/refunds"], routes.Order());
    }
}
