using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// The alerting side of tenants, through the HTTP API with each tenant's own token: alerts, incidents, silences,
/// routing and the silence cap of one tenant are never another's.
/// </summary>
public sealed class AlertingTenantTests
{
    private const string Routing = """
        route:
          receiver: nobody
        receivers:
          - name: nobody
        """;

    private static readonly string[] AllScopes = ["ingest", "read", "write", "respond"];

    private static object PageAlert(string slo) => new[]
    {
        new
        {
            labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["slo"] = slo, ["service"] = "checkout", ["severity"] = "page" },
            annotations = new Dictionary<string, string> { ["summary"] = $"{slo} is failing" },
        },
    };

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<List<JsonElement>> IncidentsAsync(HttpClient client) =>
        [.. (await Json(await client.GetAsync("/api/v1/incidents"))).EnumerateArray()];

    private static object Silence(string alertname) => new
    {
        matchers = new object[] { $"alertname=\"{alertname}\"" },
        endsAt = DateTimeOffset.UtcNow.AddHours(1),
        comment = "maintenance",
    };

    [Fact]
    public async Task TheSameAlertInTwoTenantsOpensTwoIncidentsEachSeenAndChangedOnlyByItsOwnTenant()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        using var acme = (await service.TenantClientAsync("acme", "acme-oncall", AllScopes)).Client;
        using var globex = (await service.TenantClientAsync("globex", "globex-oncall", AllScopes)).Client;

        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync("/api/v2/alerts", PageAlert("checkout-availability"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await globex.PostAsJsonAsync("/api/v2/alerts", PageAlert("checkout-availability"))).StatusCode);

        var acmeIncident = Assert.Single(await IncidentsAsync(acme));
        var globexIncident = Assert.Single(await IncidentsAsync(globex));
        var acmeId = acmeIncident.GetProperty("id").GetInt64();
        var globexId = globexIncident.GetProperty("id").GetInt64();
        Assert.NotEqual(acmeId, globexId);
        Assert.NotEqual(acmeIncident.GetProperty("fingerprint").GetString(), globexIncident.GetProperty("fingerprint").GetString());
        Assert.Empty(await IncidentsAsync(service.Http)); // the default tenant has none

        // Another tenant's incident is as absent as one that never existed.
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/api/v1/incidents/{globexId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.PostAsJsonAsync($"/api/v1/incidents/{globexId}/ack", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.PostAsJsonAsync($"/api/v1/incidents/{globexId}/resolve", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.PostAsJsonAsync($"/api/v1/incidents/{globexId}/comments", new { text = "mine now" })).StatusCode);

        var detail = await Json(await globex.GetAsync($"/api/v1/incidents/{globexId}"));
        Assert.Equal("triggered", detail.GetProperty("state").GetString());
        Assert.Equal(["created", "routed"], detail.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("kind").GetString()));

        // Its own tenant acts on it as ever.
        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync($"/api/v1/incidents/{acmeId}/ack", new { })).StatusCode);
        Assert.Equal("triggered", (await Json(await globex.GetAsync($"/api/v1/incidents/{globexId}"))).GetProperty("state").GetString());

        // Alertmanager's alert list shows each tenant its own alert only.
        var acmeAlerts = (await Json(await acme.GetAsync("/api/v2/alerts"))).EnumerateArray().ToList();
        Assert.Equal(acmeIncident.GetProperty("fingerprint").GetString(), Assert.Single(acmeAlerts).GetProperty("fingerprint").GetString());
        Assert.Empty((await Json(await service.Http.GetAsync("/api/v2/alerts"))).EnumerateArray());
    }

    [Fact]
    public async Task ASilenceOfOneTenantNeverMutesAnotherTenantsAlertAndIsNotFoundByIt()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing });
        using var acme = (await service.TenantClientAsync("acme", "acme-oncall", AllScopes)).Client;
        using var globex = (await service.TenantClientAsync("globex", "globex-oncall", AllScopes)).Client;
        await acme.PostAsJsonAsync("/api/v2/alerts", PageAlert("checkout-latency"));
        await globex.PostAsJsonAsync("/api/v2/alerts", PageAlert("checkout-latency"));

        var created = await globex.PostAsJsonAsync("/api/v1/silences", Silence("HighErrorRate"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await Json(created)).GetProperty("id").GetString();

        var globexAlert = Assert.Single((await Json(await globex.GetAsync("/api/v2/alerts"))).EnumerateArray());
        Assert.Equal("suppressed", globexAlert.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(id, Assert.Single(globexAlert.GetProperty("status").GetProperty("silencedBy").EnumerateArray()).GetString());
        var acmeAlert = Assert.Single((await Json(await acme.GetAsync("/api/v2/alerts"))).EnumerateArray());
        Assert.Equal("active", acmeAlert.GetProperty("status").GetProperty("state").GetString());
        Assert.Empty(acmeAlert.GetProperty("status").GetProperty("silencedBy").EnumerateArray());

        Assert.Empty((await Json(await acme.GetAsync("/api/v1/silences"))).EnumerateArray());
        Assert.Empty((await Json(await acme.GetAsync("/api/v2/silences"))).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/api/v1/silences/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/api/v2/silence/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.DeleteAsync($"/api/v1/silences/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.DeleteAsync($"/api/v2/silence/{id}")).StatusCode);

        // Posting it with its id (Alertmanager's update) from the other tenant does not reach it either.
        var update = await acme.PostAsJsonAsync("/api/v2/silences", new
        {
            id,
            matchers = new[] { new { name = "alertname", value = "HighErrorRate", isRegex = false, isEqual = true } },
            startsAt = DateTimeOffset.UtcNow,
            endsAt = DateTimeOffset.UtcNow.AddMinutes(5),
            createdBy = "acme",
            comment = "taken over",
        });
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);

        var still = await Json(await globex.GetAsync($"/api/v1/silences/{id}"));
        Assert.Equal("active", still.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("maintenance", still.GetProperty("comment").GetString());
    }

    [Fact]
    public async Task ATenantWithItsOwnRoutingSectionSendsItsAlertsToItsOwnReceiverOnly()
    {
        await using var acmeHook = await RecordingReceiver.StartAsync();
        await using var topHook = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            AlertingYaml = $"""
                route:
                  receiver: everyone
                  groupWait: 0s
                receivers:
                  - name: everyone
                    webhook:
                      url: {topHook.Url}
                tenants:
                  acme:
                    route:
                      receiver: acme-pager
                      groupWait: 0s
                      groupBy: [alertname, slo]
                    receivers:
                      - name: acme-pager
                        webhook:
                          url: {acmeHook.Url}
                """,
            Settings = { ["Alerting:TickInterval"] = "100ms" },
        });
        using var acme = (await service.TenantClientAsync("acme", "acme-oncall", AllScopes)).Client;
        using var globex = (await service.TenantClientAsync("globex", "globex-oncall", AllScopes)).Client;

        await acme.PostAsJsonAsync("/api/v2/alerts", PageAlert("acme-checkout"));
        await globex.PostAsJsonAsync("/api/v2/alerts", PageAlert("globex-checkout"));

        var toAcme = Assert.Single(await acmeHook.WaitForAsync(1));
        var toTop = Assert.Single(await topHook.WaitForAsync(1));
        var acmeAlert = Assert.Single(toAcme.Json.GetProperty("alerts").EnumerateArray());
        Assert.Equal("acme-checkout", acmeAlert.GetProperty("labels").GetProperty("slo").GetString());
        Assert.Equal("acme-pager", toAcme.Json.GetProperty("receiver").GetString());
        Assert.StartsWith("acme/", toAcme.Json.GetProperty("groupKey").GetString(), StringComparison.Ordinal);
        Assert.Equal("globex-checkout", Assert.Single(toTop.Json.GetProperty("alerts").EnumerateArray()).GetProperty("labels").GetProperty("slo").GetString());
        Assert.StartsWith("globex/", toTop.Json.GetProperty("groupKey").GetString(), StringComparison.Ordinal);

        // Each tenant's groups, status and receivers are its own routing.
        var acmeGroup = Assert.Single((await Json(await acme.GetAsync("/api/v2/alerts/groups"))).EnumerateArray());
        Assert.Equal("acme-pager", acmeGroup.GetProperty("receiver").GetProperty("name").GetString());
        Assert.Equal("acme-checkout", Assert.Single(acmeGroup.GetProperty("alerts").EnumerateArray()).GetProperty("labels").GetProperty("slo").GetString());
        var globexGroup = Assert.Single((await Json(await globex.GetAsync("/api/v2/alerts/groups"))).EnumerateArray());
        Assert.Equal("everyone", globexGroup.GetProperty("receiver").GetProperty("name").GetString());
        Assert.Equal(["acme-pager"], (await Json(await acme.GetAsync("/api/v2/receivers"))).EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(["everyone"], (await Json(await globex.GetAsync("/api/v2/receivers"))).EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var acmeConfig = (await Json(await acme.GetAsync("/api/v2/status"))).GetProperty("config").GetProperty("original").GetString()!;
        Assert.Contains("acme-pager", acmeConfig, StringComparison.Ordinal);
        Assert.DoesNotContain("everyone", acmeConfig, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-pager", (await Json(await globex.GetAsync("/api/v2/status"))).GetProperty("config").GetProperty("original").GetString()!, StringComparison.Ordinal);

        // Delivery outcomes name the receiver, so each tenant's /metrics counts its own receivers only.
        var acmeMetrics = await Poll.UntilAsync(() => acme.GetStringAsync("/metrics"),
            text => text.Contains("slomon_notifications_total{receiver=\"acme-pager\",outcome=\"delivered\"} 1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "acme's delivery on /metrics");
        Assert.DoesNotContain("everyone", acmeMetrics, StringComparison.Ordinal);
        var globexMetrics = await Poll.UntilAsync(() => globex.GetStringAsync("/metrics"),
            text => text.Contains("slomon_notifications_total{receiver=\"everyone\",outcome=\"delivered\"} 1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "globex's delivery on /metrics");
        Assert.DoesNotContain("acme-pager", globexMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain("slomon_notifications_total{", await service.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);

        var incident = Assert.Single(await IncidentsAsync(acme));
        var timeline = (await Json(await acme.GetAsync($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}"))).GetProperty("timeline").EnumerateArray().ToList();
        var routed = timeline.Single(t => t.GetProperty("kind").GetString() == "routed");
        Assert.Equal(["acme-pager"], routed.GetProperty("details").GetProperty("receivers").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task TheSilenceCapCountsEachTenantsSilencesApartAndNamesTheCap()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            AlertingYaml = Routing,
            Settings = { ["Alerting:MaxSilencesPerTenant"] = "2" },
        });
        using var acme = (await service.TenantClientAsync("acme", "acme-oncall", AllScopes)).Client;
        using var globex = (await service.TenantClientAsync("globex", "globex-oncall", AllScopes)).Client;

        Assert.Equal(HttpStatusCode.Created, (await acme.PostAsJsonAsync("/api/v1/silences", Silence("A"))).StatusCode);
        var second = await acme.PostAsJsonAsync("/api/v1/silences", Silence("B"));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var refused = await acme.PostAsJsonAsync("/api/v1/silences", Silence("C"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = (await Json(refused)).GetProperty("error").GetString()!;
        Assert.Contains("Alerting:MaxSilencesPerTenant", error, StringComparison.Ordinal);
        Assert.Contains("(2)", error, StringComparison.Ordinal);

        var viaAlertmanager = await acme.PostAsJsonAsync("/api/v2/silences", new
        {
            matchers = new[] { new { name = "alertname", value = "D", isRegex = false, isEqual = true } },
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "acme",
            comment = "",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, viaAlertmanager.StatusCode);
        Assert.Contains("Alerting:MaxSilencesPerTenant", (await Json(viaAlertmanager)).GetString(), StringComparison.Ordinal);

        // Another tenant has a cap of its own; an expired silence no longer counts.
        Assert.Equal(HttpStatusCode.Created, (await globex.PostAsJsonAsync("/api/v1/silences", Silence("A"))).StatusCode);
        var id = (await Json(second)).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await acme.DeleteAsync($"/api/v1/silences/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await acme.PostAsJsonAsync("/api/v1/silences", Silence("C"))).StatusCode);
    }

    [Fact]
    public async Task AnSloOfOneTenantThatBurnsPagesThroughThatTenantsRoutingAndOpensAnIncidentOnlyItSees()
    {
        await using var acmeHook = await RecordingReceiver.StartAsync();
        await using var topHook = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            AlertingYaml = $"""
                route:
                  receiver: everyone
                  groupWait: 0s
                receivers:
                  - name: everyone
                    webhook:
                      url: {topHook.Url}
                tenants:
                  acme:
                    route:
                      receiver: acme-pager
                      groupBy: [slo, severity]
                      groupWait: 0s
                    receivers:
                      - name: acme-pager
                        webhook:
                          url: {acmeHook.Url}
                """,
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.2", ["Alerting:TickInterval"] = "100ms" },
        });
        var (acme, acmeToken) = await service.TenantClientAsync("acme", "acme-all", AllScopes);
        var (globex, globexToken) = await service.TenantClientAsync("globex", "globex-all", AllScopes);
        using (acme)
        using (globex)
        {
            foreach (var client in new[] { acme, globex })
            {
                var put = await client.PutAsync("/api/v1/slos/checkout-availability", new StringContent(
                    JsonSerializer.Serialize(new { service = "checkout", objective = 99.9, sli = new { kind = "availability" } }), Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            // 1.5% errors against a 0.1% budget in acme (a page); none in globex, from a service of the same name.
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 15, token: acmeToken);
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 0, token: globexToken);

            var page = Assert.Single(await acmeHook.WaitForAsync(1, TimeSpan.FromSeconds(20)));
            var alert = page.Json.GetProperty("alerts").EnumerateArray().First();
            Assert.Equal("checkout-availability", alert.GetProperty("labels").GetProperty("slo").GetString());
            Assert.StartsWith("acme/", page.Json.GetProperty("groupKey").GetString(), StringComparison.Ordinal);

            var incident = Assert.Single(await Poll.UntilAsync(() => IncidentsAsync(acme), list => list.Count > 0, TimeSpan.FromSeconds(10), "acme's incident"));
            Assert.Equal("checkout-availability", incident.GetProperty("slo").GetString());
            Assert.Empty(await IncidentsAsync(globex));
            Assert.Empty(await IncidentsAsync(service.Http));
            Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}")).StatusCode);
            Assert.Empty(topHook.Requests);
        }
    }

    [Fact]
    public async Task TheFiringAlertCapCountsEachTenantsAlertsApartAndNamesTheCap()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            AlertingYaml = Routing,
            Settings = { ["Alerting:MaxAlertsPerTenant"] = "2" },
        });
        using var acme = (await service.TenantClientAsync("acme", "acme-oncall", AllScopes)).Client;
        using var globex = (await service.TenantClientAsync("globex", "globex-oncall", AllScopes)).Client;
        static object Alert(string slo, DateTimeOffset? endsAt = null) => new[]
        {
            new { labels = new Dictionary<string, string> { ["alertname"] = "External", ["slo"] = slo }, endsAt },
        };

        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync("/api/v2/alerts", Alert("a"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync("/api/v2/alerts", Alert("b"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync("/api/v2/alerts", Alert("b"))).StatusCode); // sent again: still two

        var refused = await acme.PostAsJsonAsync("/api/v2/alerts", Alert("c"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("more than the limit of Alerting:MaxAlertsPerTenant (2)", (await Json(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await Json(await acme.GetAsync("/api/v2/alerts"))).GetArrayLength());

        // Another tenant has a cap of its own; a resolve makes room.
        Assert.Equal(HttpStatusCode.OK, (await globex.PostAsJsonAsync("/api/v2/alerts", Alert("c"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync("/api/v2/alerts", Alert("a", DateTimeOffset.UtcNow.AddSeconds(-1)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.PostAsJsonAsync("/api/v2/alerts", Alert("c"))).StatusCode);
    }
}
