using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// Every API write that needs PostgreSQL, tried while the service's own PostgreSQL is stopped: each answers 503 with
/// <c>Retry-After</c> and a message saying the database is unavailable, and once it is back nothing of it is there.
/// </summary>
public sealed class DatabaseOutageWritesTests
{
    [Fact]
    public async Task WritesThatNeedTheDatabaseAnswer503WhileItIsDownAndLeaveNothingHalfWritten()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            ConnectionString = postgres.ConnectionString,
            AlertingYaml = "route: {receiver: nobody}\nreceivers: [{name: nobody}]\n",
            Settings = { ["SloMonitor:DatabaseProbeInterval"] = "00:00:01" },
        });
        var http = service.Http;
        Assert.Equal(HttpStatusCode.Created, (await http.PutAsync("api/v1/slos/orders", Json("""{"service": "orders", "objective": 99, "sli": {"kind": "availability"}}"""))).StatusCode);
        var silence = await (await http.PostAsJsonAsync("api/v1/silences", new
        {
            matchers = new[] { "team=\"payments\"" },
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "alice",
            comment = "failover",
        })).Content.ReadFromJsonAsync<JsonElement>();
        var silenceId = silence.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("api/v2/alerts", new[]
        {
            new { labels = new Dictionary<string, string> { ["alertname"] = "CheckoutDown", ["slo"] = "checkout", ["severity"] = "page" } },
        })).StatusCode);
        var incident = Assert.Single((await http.GetFromJsonAsync<JsonElement>("api/v1/incidents")).EnumerateArray());
        var incidentId = incident.GetProperty("id").GetInt64();

        await postgres.StopAsync();
        var writes = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Put, "api/v1/slos/cart", """{"service": "cart", "objective": 99, "sli": {"kind": "availability"}}"""),
            (HttpMethod.Put, "api/v1/slos/orders", """{"service": "orders", "objective": 95, "sli": {"kind": "availability"}}"""),
            (HttpMethod.Delete, "api/v1/slos/orders", null),
            (HttpMethod.Post, "api/v1/slos/apply", """{"files": [{"path": "slos/cart.yaml", "content": "slos:\n  - {name: cart, service: cart, objective: 99, sli: {kind: availability}}\n"}]}"""),
            (HttpMethod.Post, "api/v1/silences", """{"matchers": ["team=\"checkout\""], "endsAt": "2099-01-01T00:00:00Z", "createdBy": "bob", "comment": "x"}"""),
            (HttpMethod.Delete, $"api/v1/silences/{silenceId}", null),
            (HttpMethod.Post, "api/v2/silences", """{"matchers": [{"name": "team", "value": "checkout", "isRegex": false, "isEqual": true}], "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z", "createdBy": "bob", "comment": "x"}"""),
            (HttpMethod.Delete, $"api/v2/silence/{silenceId}", null),
            (HttpMethod.Post, $"api/v1/incidents/{incidentId}/ack", """{"actor": "bob"}"""),
            (HttpMethod.Post, $"api/v1/incidents/{incidentId}/resolve", """{"actor": "bob"}"""),
            (HttpMethod.Post, $"api/v1/incidents/{incidentId}/comments", """{"actor": "bob", "text": "looking"}"""),
        };
        foreach (var (method, path, body) in writes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {(int)response.StatusCode} {text}");
            Assert.True(text.Contains("database is unavailable", StringComparison.Ordinal) || text.Contains("PostgreSQL is not available", StringComparison.Ordinal), $"{method} {path}: {text}");
            Assert.True(text.Contains("nothing was changed", StringComparison.Ordinal) || text.Contains("nothing was applied", StringComparison.Ordinal), $"{method} {path}: {text}");
            Assert.NotNull(response.Headers.RetryAfter);
        }

        // What lives in memory is unchanged too.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/v1/slos/cart")).StatusCode);
        Assert.Equal(99, (await http.GetFromJsonAsync<JsonElement>("api/v1/slos/orders")).GetProperty("objective").GetDouble());

        await postgres.RestartAsync();
        Assert.True(await ServiceProcess.PollAsync(async () =>
        {
            var ready = await http.GetFromJsonAsync<JsonElement>("readyz");
            return ready.GetProperty("database").GetProperty("up").GetBoolean();
        }, TimeSpan.FromSeconds(60)));

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/v1/slos/cart")).StatusCode);
        Assert.Equal(99, (await http.GetFromJsonAsync<JsonElement>("api/v1/slos/orders")).GetProperty("objective").GetDouble());
        var silences = (await http.GetFromJsonAsync<JsonElement>("api/v1/silences")).EnumerateArray().ToList();
        var only = Assert.Single(silences);
        Assert.Equal(silenceId, only.GetProperty("id").GetString());
        Assert.Equal("active", only.GetProperty("status").GetProperty("state").GetString());
        var detail = await http.GetFromJsonAsync<JsonElement>($"api/v1/incidents/{incidentId}");
        Assert.Equal("triggered", detail.GetProperty("state").GetString());
        Assert.Equal(incident.GetProperty("version").GetInt32(), detail.GetProperty("version").GetInt32());
        Assert.DoesNotContain(detail.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() is "acked" or "resolved" or "comment");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
