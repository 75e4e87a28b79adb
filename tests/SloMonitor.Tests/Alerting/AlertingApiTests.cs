using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Alerting;

public sealed class AlertingApiTests
{
    private const string Routing = """
        route:
          receiver: nobody
        receivers:
          - name: nobody
        """;

    private static object PageAlert(string slo) => new[]
    {
        new
        {
            labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["slo"] = slo, ["service"] = "checkout", ["severity"] = "page" },
            annotations = new Dictionary<string, string>
            {
                ["summary"] = $"{slo} is failing",
                ["runbook_url"] = $"https://runbooks.example.com/{slo}",
                ["dashboard_url"] = $"http://127.0.0.1/slos/{slo}",
            },
            generatorURL = "http://prometheus.example.com/graph",
        },
    };

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<long> OpenIncidentAsync(TestService service, string slo)
    {
        var posted = await service.Http.PostAsJsonAsync("/api/v2/alerts", PageAlert(slo));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var list = await Json(await service.Http.GetAsync($"/api/v1/incidents?slo={slo}"));
        return Assert.Single(list.EnumerateArray()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task AnExternalAlertOpensAnIncidentThatTheApiListsAndShowsWithAlertsLinksAndTimeline()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var id = await OpenIncidentAsync(service, "checkout-availability");

        var listed = Assert.Single((await Json(await service.Http.GetAsync("/api/v1/incidents?state=triggered&service=checkout"))).EnumerateArray());
        var names = listed.EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["acknowledgedAt", "acknowledgedBy", "fingerprint", "id", "openedAt", "resolvedAt", "service", "severity", "slo", "state", "title", "version"], names);
        Assert.Equal("checkout-availability is failing", listed.GetProperty("title").GetString());
        Assert.Empty((await Json(await service.Http.GetAsync("/api/v1/incidents?service=search"))).EnumerateArray());

        var detail = await Json(await service.Http.GetAsync($"/api/v1/incidents/{id}"));
        Assert.Equal("https://runbooks.example.com/checkout-availability", detail.GetProperty("runbookUrl").GetString());
        Assert.Equal("http://127.0.0.1/slos/checkout-availability", detail.GetProperty("dashboardUrl").GetString());
        var alert = Assert.Single(detail.GetProperty("alerts").EnumerateArray());
        Assert.Equal(["annotations", "endsAt", "fingerprint", "labels", "startsAt", "status"], alert.EnumerateObject().Select(p => p.Name).Order().ToList());
        Assert.Equal("firing", alert.GetProperty("status").GetString());
        var timeline = detail.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["created", "routed"], timeline.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal(["actor", "at", "details", "kind"], timeline[0].EnumerateObject().Select(p => p.Name).Order().ToList());
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("/api/v1/incidents/987654")).StatusCode);
    }

    [Fact]
    public async Task AckResolveAndCommentRecordTheSignedInPrincipalAndAnInvalidTransitionAnswers409WithTheCurrentState()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var id = await OpenIncidentAsync(service, "checkout-latency");
        using var alice = await service.ClientWithAsync("alice", "respond", "read");
        using var bob = await service.ClientWithAsync("bob", "respond");
        using var carol = await service.ClientWithAsync("carol", "respond");

        var ack = await alice.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Equal("acknowledged", (await Json(ack)).GetProperty("state").GetString());

        var again = await bob.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("alice", (await Json(again)).GetProperty("current").GetProperty("acknowledgedBy").GetString());

        // A name in the body is not who acts: the token is.
        var comment = await bob.PostAsJsonAsync($"/api/v1/incidents/{id}/comments", new { actor = "mallory", text = "rolling back" });
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);

        using var resolve = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/incidents/{id}/resolve") { Content = JsonContent.Create(new { }) };
        resolve.Headers.Add("X-Actor", "mallory");
        var resolved = await carol.SendAsync(resolve);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal("resolved", (await Json(resolved)).GetProperty("state").GetString());

        var timeline = (await Json(await alice.GetAsync($"/api/v1/incidents/{id}"))).GetProperty("timeline").EnumerateArray()
            .Select(t => $"{t.GetProperty("kind").GetString()}:{t.GetProperty("actor").GetString()}").ToList();
        Assert.Equal(["acked:alice", "comment:bob", "resolved:carol"], timeline.Skip(2));

        var audit = (await Json(await service.Http.GetAsync("/api/v1/audit?kind=incident"))).EnumerateArray()
            .Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("actor").GetString()}:{e.GetProperty("objectId").GetString()}").ToList();
        Assert.Equal([$"incident.resolved:carol:{id}", $"incident.commented:bob:{id}", $"incident.acknowledged:alice:{id}"], audit);
    }

    [Fact]
    public async Task ConcurrentAckAndResolveFromTwoClientsLeaveOneResultAndTheLoserGets409()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var id = await OpenIncidentAsync(service, "checkout-errors");
        var version = (await Json(await service.Http.GetAsync($"/api/v1/incidents/{id}"))).GetProperty("version").GetInt32();
        using var other = await service.ClientWithAsync("bob", "respond");

        var responses = await Task.WhenAll(
            service.Http.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { actor = "alice", version }),
            other.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { actor = "bob", version }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        var winner = await Json(responses.Single(r => r.StatusCode == HttpStatusCode.OK));
        var current = (await Json(loser)).GetProperty("current");
        Assert.Equal(winner.GetProperty("state").GetString(), current.GetProperty("state").GetString());
        Assert.Equal(winner.GetProperty("version").GetInt32(), current.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task SilencesAreCreatedListedAndExpiredThroughTheApi()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var created = await service.Http.PostAsJsonAsync("/api/v1/silences", new
        {
            matchers = new object[] { new { name = "slo", value = "checkout", isRegex = false, isEqual = true }, "team=~\"pay.*\"" },
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "alice",
            comment = "planned failover",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await Json(created);
        var id = silence.GetProperty("id").GetString();
        Assert.Equal("test-admin", silence.GetProperty("createdBy").GetString());
        Assert.Equal("active", silence.GetProperty("status").GetProperty("state").GetString());
        Assert.True(silence.GetProperty("matchers")[1].GetProperty("isRegex").GetBoolean());

        var active = await Json(await service.Http.GetAsync("/api/v1/silences?state=active"));
        Assert.Equal(id, Assert.Single(active.EnumerateArray()).GetProperty("id").GetString());

        var expired = await service.Http.DeleteAsync($"/api/v1/silences/{id}");
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        Assert.Equal("expired", (await Json(expired)).GetProperty("status").GetProperty("state").GetString());
        Assert.Empty((await Json(await service.Http.GetAsync("/api/v1/silences?state=active"))).EnumerateArray());
        Assert.Single((await Json(await service.Http.GetAsync("/api/v1/silences"))).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.DeleteAsync($"/api/v1/silences/{Guid.NewGuid()}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"matchers":["team=~\"(\""],"endsAt":"2099-01-01T00:00:00Z","createdBy":"a"}""", "matchers[0]")]
    [InlineData("""{"matchers":["team=\"a\""],"createdBy":"a"}""", "endsAt")]
    [InlineData("""{"matchers":["team=\"a\""],"endsAt":"2000-01-01T00:00:00Z","createdBy":"a"}""", "endsAt")]
    [InlineData("""{"matchers":[],"endsAt":"2099-01-01T00:00:00Z","createdBy":"a"}""", "matchers")]
    public async Task AnInvalidSilenceIsRejectedNamingTheField(string body, string field)
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var response = await service.Http.PostAsync("/api/v1/silences", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await Json(response)).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("""{"labels":{"a":"b"}}""", "body")]
    [InlineData("""[{"annotations":{}}]""", "[0].labels")]
    [InlineData("""[{"labels":{"a":"b"}},{"labels":{"a":1}}]""", "[1].labels.a")]
    [InlineData("""[{"labels":{"a":"b"},"startsAt":"yesterday"}]""", "[0].startsAt")]
    [InlineData("""[{"labels":{"bad-name":"b"}}]""", "[0].labels")]
    public async Task AnInvalidAlertBatchIsRejectedNamingTheField(string body, string field)
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var response = await service.Http.PostAsync("/api/v2/alerts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await Json(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnExternalAlertWithAPastEndsAtResolvesItsIncident()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        var id = await OpenIncidentAsync(service, "checkout-saturation");
        var resolved = new[]
        {
            new
            {
                labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["slo"] = "checkout-saturation", ["service"] = "checkout", ["severity"] = "page" },
                endsAt = DateTimeOffset.UtcNow.AddSeconds(-1),
            },
        };
        Assert.Equal(HttpStatusCode.OK, (await service.Http.PostAsJsonAsync("/api/v2/alerts", resolved)).StatusCode);
        var detail = await Json(await service.Http.GetAsync($"/api/v1/incidents/{id}"));
        Assert.Equal("resolved", detail.GetProperty("state").GetString());
        Assert.Equal("resolved", detail.GetProperty("alerts")[0].GetProperty("status").GetString());
    }
}
