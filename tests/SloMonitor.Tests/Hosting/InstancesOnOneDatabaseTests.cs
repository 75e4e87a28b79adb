using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;

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
