using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Hosting;

/// <summary>Several instances of the service on one PostgreSQL, as behind a load balancer: what on-call does on one, every other shows.</summary>
public sealed class InstancesOnOneDatabaseTests
{
    private const string Routing = """
        route:
          receiver: nobody
        receivers:
          - name: nobody
        """;

    [Fact]
    public async Task AnIncidentOpenedOnOneInstanceAndAckedOnAnotherShowsAckedOnAllThree()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var a = await TestService.StartAsync(new TestServiceOptions { Database = database, AlertingYaml = Routing });
        await using var b = await TestService.StartAsync(new TestServiceOptions { Database = database, AlertingYaml = Routing });
        await using var c = await TestService.StartAsync(new TestServiceOptions { Database = database, AlertingYaml = Routing });
        // Each test service makes its admin token afresh on start, revoking the one before: the last one's serves all three.
        using var toA = With(a, c.AdminToken);
        using var toB = With(b, c.AdminToken);

        var posted = await toA.PostAsJsonAsync("/api/v2/alerts", new[]
        {
            new { labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["slo"] = "checkout-availability", ["service"] = "checkout", ["severity"] = "page" } },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var id = Assert.Single((await JsonAsync(toB, "/api/v1/incidents?slo=checkout-availability")).EnumerateArray()).GetProperty("id").GetInt64();

        using var alice = await c.ClientWithAsync("alice", "respond", "read");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { })).StatusCode);

        foreach (var instance in new[] { toA, toB, c.Http })
        {
            var incident = await JsonAsync(instance, $"/api/v1/incidents/{id}");
            Assert.Equal("acknowledged", incident.GetProperty("state").GetString());
            Assert.Equal("alice", incident.GetProperty("acknowledgedBy").GetString());
        }

        // The same alert sent again to the third instance is the same incident, not a second one.
        Assert.Equal(HttpStatusCode.OK, (await c.Http.PostAsJsonAsync("/api/v2/alerts", new[]
        {
            new { labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["slo"] = "checkout-availability", ["service"] = "checkout", ["severity"] = "page" } },
        })).StatusCode);
        Assert.Single((await JsonAsync(toA, "/api/v1/incidents?slo=checkout-availability")).EnumerateArray());
    }

    [Fact]
    public async Task AnSloCreatedAdjustedEditedAndDeletedThroughOneInstanceRunsSoOnTheOther()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var a = await TestService.StartAsync(new TestServiceOptions { Database = database, AlertingYaml = Routing, Settings = { ["Slos:FileCheckInterval"] = "00:00:00.200" } });
        await using var b = await TestService.StartAsync(new TestServiceOptions { Database = database, AlertingYaml = Routing, Settings = { ["Slos:FileCheckInterval"] = "00:00:00.200" } });
        using var toA = With(a, b.AdminToken);

        var put = await toA.PutAsync("/api/v1/slos/orders", Json("""{"service": "orders", "objective": 99.5, "sli": {"kind": "availability"}}"""));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var objective = await Poll.UntilAsync(() => ObjectiveAsync(b.Http), o => o == 99.5, TimeSpan.FromSeconds(20), "the SLO on the other instance");
        Assert.Equal(99.5, objective);

        // Its spans count on the other instance too: it runs there, not only shows.
        await OtlpPush.SpansAsync(b.OtlpHttpEndpoint, "orders", "/orders", 20, 1);
        await b.EvaluateRoundAsync();
        var slo = await b.Http.GetFromJsonAsync<JsonElement>("/api/v1/slos/orders");
        Assert.Equal(20, slo.GetProperty("status").GetProperty("windows").GetProperty("1h").GetProperty("total").GetInt64());

        // A budget adjustment made through the first leaves the events it covers out on the second too.
        var now = DateTimeOffset.UtcNow;
        var adjustment = await toA.PostAsync("/api/v1/slos/orders/adjustments", Json($$"""{"from": "{{now.AddMinutes(-10):O}}", "to": "{{now.AddMinutes(1):O}}", "reason": "load test"}"""));
        Assert.Equal(HttpStatusCode.Created, adjustment.StatusCode);
        var adjusted = await Poll.UntilAsync(
            async () =>
            {
                await b.EvaluateRoundAsync();
                return (await b.Http.GetFromJsonAsync<JsonElement>("/api/v1/slos/orders")).GetProperty("status").GetProperty("windows").GetProperty("1h").GetProperty("total").GetInt64();
            },
            total => total == 0,
            TimeSpan.FromSeconds(20),
            "the adjustment on the other instance");
        Assert.Equal(0, adjusted);

        Assert.True((await toA.PutAsync("/api/v1/slos/orders", Json("""{"service": "orders", "objective": 99.9, "sli": {"kind": "availability"}}"""))).IsSuccessStatusCode);
        await Poll.UntilAsync(() => ObjectiveAsync(b.Http), o => o == 99.9, TimeSpan.FromSeconds(20), "the edit on the other instance");

        Assert.Equal(HttpStatusCode.NoContent, (await toA.DeleteAsync("/api/v1/slos/orders")).StatusCode);
        await Poll.UntilAsync(() => ObjectiveAsync(b.Http), o => o is null, TimeSpan.FromSeconds(20), "the deletion on the other instance");
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    /// <summary>The objective of SLO <c>orders</c> as the instance runs it; null when it has none.</summary>
    private static async Task<double?> ObjectiveAsync(HttpClient http)
    {
        var response = await http.GetAsync("/api/v1/slos/orders");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("objective").GetDouble();
    }

    private static HttpClient With(TestService service, string token)
    {
        var client = service.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonElement> JsonAsync(HttpClient http, string path)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(path));
        return document.RootElement.Clone();
    }
}
