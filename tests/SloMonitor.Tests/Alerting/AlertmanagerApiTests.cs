using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Alerting;

/// <summary>Alertmanager's API v2 on the real host, checked against its OpenAPI document (api/v2/openapi.yaml).</summary>
public sealed class AlertmanagerApiTests
{
    // The required properties of each definition in Alertmanager's OpenAPI document (allOf parts merged).
    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["gettableAlert"] = ["labels", "annotations", "receivers", "fingerprint", "startsAt", "updatedAt", "endsAt", "status"],
        ["alertStatus"] = ["state", "silencedBy", "inhibitedBy"],
        ["receiver"] = ["name"],
        ["alertGroup"] = ["labels", "receiver", "alerts"],
        ["gettableSilence"] = ["id", "status", "updatedAt", "matchers", "startsAt", "endsAt", "createdBy", "comment"],
        ["silenceStatus"] = ["state"],
        ["matcher"] = ["name", "value", "isRegex"],
        ["alertmanagerStatus"] = ["cluster", "versionInfo", "config", "uptime"],
        ["clusterStatus"] = ["status"],
        ["versionInfo"] = ["version", "revision", "branch", "buildUser", "buildDate", "goVersion"],
        ["alertmanagerConfig"] = ["original"],
    };

    private static readonly Dictionary<string, string[]> Enums = new()
    {
        ["alertStatus.state"] = ["unprocessed", "active", "suppressed"],
        ["silenceStatus.state"] = ["expired", "active", "pending"],
        ["clusterStatus.status"] = ["ready", "settling", "disabled"],
    };

    private static string Routing()
    {
        // A maintenance window open now (every day, from half an hour ago for two hours).
        var start = DateTime.UtcNow.AddMinutes(-30).ToString("HH:mm", CultureInfo.InvariantCulture);
        return $"""
            route:
              receiver: oncall
              groupBy: [slo]
              routes:
                - matchers: ['severity="page"']
                  receiver: pager
            inhibitRules:
              - sourceMatchers: ['severity="page"']
                targetMatchers: ['severity="ticket"']
                equal: [slo]
            maintenanceWindows:
              - name: batch-nightly
                matchers: ['service="batch"']
                start: "{start}"
                duration: 2h
            receivers:
              - name: oncall
              - name: pager
            """;
    }

    [Fact]
    public async Task EveryAnswerHasTheFieldsTheOpenApiDocumentRequiresAndTellsWhatMutesEachAlert()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing() });
        await PostAsync(service, Alert("CheckoutErrors", "checkout", "page", "checkout"), Alert("CheckoutErrors", "checkout", "ticket", "checkout"),
            Alert("SearchSlow", "search", "ticket", "search"), Alert("BatchLate", "batch", "ticket", "batch"));
        var silence = await service.Http.PostAsJsonAsync("/api/v2/silences", new
        {
            matchers = new[] { new { name = "service", value = "sea.*", isRegex = true, isEqual = true } },
            startsAt = DateTimeOffset.UtcNow,
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "alice",
            comment = "search reindex",
        });
        Assert.Equal(HttpStatusCode.OK, silence.StatusCode);
        var silenceId = (await Json(silence)).GetProperty("silenceID").GetString()!;

        var alerts = await GetAsync(service, "/api/v2/alerts");
        foreach (var alert in alerts.EnumerateArray())
        {
            AssertShape(alert, "gettableAlert");
        }

        var byKey = alerts.EnumerateArray().ToDictionary(a => Label(a, "service") + "/" + Label(a, "severity"));
        Assert.Equal(["batch/ticket", "checkout/page", "checkout/ticket", "search/ticket"], byKey.Keys.Order());
        var page = byKey["checkout/page"];
        Assert.Equal(("active", "", "", ""), Status(page));
        Assert.Equal(["pager"], Receivers(page));
        Assert.Equal(("suppressed", "", page.GetProperty("fingerprint").GetString()!, ""), Status(byKey["checkout/ticket"]));
        Assert.Equal(("suppressed", silenceId, "", ""), Status(byKey["search/ticket"]));
        Assert.Equal(("suppressed", "", "", "batch-nightly"), Status(byKey["batch/ticket"]));
        Assert.Equal(["oncall"], Receivers(byKey["search/ticket"]));
        // An alert posted without endsAt fires until the resolve timeout (5m) unless sent again, as in Alertmanager.
        var firingFor = page.GetProperty("endsAt").GetDateTimeOffset() - page.GetProperty("updatedAt").GetDateTimeOffset();
        Assert.InRange(firingFor, TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        Assert.Equal(["checkout/page"], await KeysAsync(service, "active=true&silenced=false&inhibited=false"));
        Assert.Equal(["batch/ticket", "checkout/ticket", "search/ticket"], await KeysAsync(service, "active=false"));
        Assert.Equal(["checkout/page", "checkout/ticket"], await KeysAsync(service, "silenced=false"));
        Assert.Equal(["batch/ticket", "checkout/page", "search/ticket"], await KeysAsync(service, "inhibited=false"));
        Assert.Equal(["checkout/page"], await KeysAsync(service, "receiver=pag.*"));
        Assert.Equal(["checkout/ticket", "search/ticket"], await KeysAsync(service, "filter=severity%3D%22ticket%22&filter=service%3D~%22c.*%7Cs.*%22"));

        var groups = await GetAsync(service, "/api/v2/alerts/groups");
        foreach (var group in groups.EnumerateArray())
        {
            AssertShape(group, "alertGroup");
        }

        Assert.Equal(
            ["batch oncall batch/ticket", "checkout oncall checkout/ticket", "checkout pager checkout/page", "search oncall search/ticket"],
            groups.EnumerateArray().Select(g => $"{g.GetProperty("labels").GetProperty("slo").GetString()} {g.GetProperty("receiver").GetProperty("name").GetString()} "
                + string.Join(",", g.GetProperty("alerts").EnumerateArray().Select(a => Label(a, "service") + "/" + Label(a, "severity"))))
            .ToList());
        Assert.Equal(["pager"], (await GetAsync(service, "/api/v2/alerts/groups?receiver=pager")).EnumerateArray().Select(g => g.GetProperty("receiver").GetProperty("name").GetString()));

        var silences = await GetAsync(service, "/api/v2/silences");
        var listed = Assert.Single(silences.EnumerateArray());
        AssertShape(listed, "gettableSilence");
        Assert.Equal(silenceId, listed.GetProperty("id").GetString());
        Assert.Equal("active", listed.GetProperty("status").GetProperty("state").GetString());
        AssertShape(await GetAsync(service, $"/api/v2/silence/{silenceId}"), "gettableSilence");

        var status = await GetAsync(service, "/api/v2/status");
        AssertShape(status, "alertmanagerStatus");
        Assert.Contains("receiver: pager", status.GetProperty("config").GetProperty("original").GetString(), StringComparison.Ordinal);
        var receivers = await GetAsync(service, "/api/v2/receivers");
        Assert.Equal(["oncall", "pager"], receivers.EnumerateArray().Select(r => { AssertShape(r, "receiver"); return r.GetProperty("name").GetString(); }));
    }

    [Theory]
    [InlineData("GET", "/api/v2/alerts?filter=severity", "", 400, "filter[0]")]
    [InlineData("GET", "/api/v2/alerts?filter=team%3D~%22(%22", "", 400, "invalid regular expression")]
    [InlineData("GET", "/api/v2/alerts/groups?filter=%3Dx", "", 400, "filter[0]")]
    [InlineData("GET", "/api/v2/alerts?active=maybe", "", 400, "active")]
    [InlineData("GET", "/api/v2/alerts?receiver=(", "", 400, "receiver")]
    [InlineData("GET", "/api/v2/silences?filter=x", "", 400, "filter[0]")]
    [InlineData("GET", "/api/v2/silence/not-a-uuid", "", 400, "silenceID")]
    [InlineData("GET", "/api/v2/silence/5b1f3b6e-2f5e-4b3a-9d1e-0c3a7f6f1a2b", "", 404, "not found")]
    [InlineData("DELETE", "/api/v2/silence/5b1f3b6e-2f5e-4b3a-9d1e-0c3a7f6f1a2b", "", 404, "not found")]
    [InlineData("POST", "/api/v2/silences", """{"matchers":[{"name":"team","value":"(","isRegex":true}],"endsAt":"2099-01-01T00:00:00Z","createdBy":"a","comment":""}""", 400, "matchers[0]")]
    [InlineData("POST", "/api/v2/silences", """{"matchers":[],"endsAt":"2099-01-01T00:00:00Z","createdBy":"a","comment":""}""", 400, "matchers")]
    [InlineData("POST", "/api/v2/silences", """{"matchers":[{"name":"team","value":".*","isRegex":true}],"endsAt":"2099-01-01T00:00:00Z","createdBy":"a","comment":""}""", 400, "empty string")]
    [InlineData("POST", "/api/v2/silences", """{"matchers":[{"name":"team","value":"a","isRegex":false}],"endsAt":"2000-01-01T00:00:00Z","createdBy":"a","comment":""}""", 400, "endsAt")]
    [InlineData("POST", "/api/v2/silences", """{"id":"5b1f3b6e-2f5e-4b3a-9d1e-0c3a7f6f1a2b","matchers":[{"name":"team","value":"a","isRegex":false}],"endsAt":"2099-01-01T00:00:00Z","createdBy":"a","comment":""}""", 404, "not found")]
    [InlineData("POST", "/api/v2/silences", "[1]", 400, "body")]
    public async Task BadRequestsAnswerAsAlertmanagerDoesWithAJsonStringNamingTheProblem(string method, string path, string body, int status, string mentions)
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing() });
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await service.Http.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        var message = await Json(response);
        Assert.Equal(JsonValueKind.String, message.ValueKind);
        Assert.Contains(mentions, message.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostingASilenceWithItsIdUpdatesItInPlaceUnlessItsMatchersChange()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = Routing() });
        var start = DateTimeOffset.UtcNow;
        var matchers = new[] { new { name = "slo", value = "checkout", isRegex = false, isEqual = true } };
        var id = await PostSilenceAsync(service, new { matchers, startsAt = start, endsAt = start.AddHours(1), createdBy = "alice", comment = "deploy" });
        var created = await GetAsync(service, $"/api/v2/silence/{id}");

        // Same matchers, same start, later end: the same silence, changed.
        var extended = await PostSilenceAsync(service, new { id, matchers, startsAt = created.GetProperty("startsAt").GetString(), endsAt = start.AddHours(3), createdBy = "bob", comment = "deploy, longer" });
        Assert.Equal(id, extended);
        var changed = await GetAsync(service, $"/api/v2/silence/{id}");
        // Who is recorded is the token that posted, not the createdBy in the body.
        Assert.Equal("test-admin", changed.GetProperty("createdBy").GetString());
        Assert.Equal("deploy, longer", changed.GetProperty("comment").GetString());
        Assert.Equal(start.AddHours(3).ToUnixTimeSeconds(), changed.GetProperty("endsAt").GetDateTimeOffset().ToUnixTimeSeconds());

        // Other matchers would rewrite what the silence already muted: the old one expires and a new one starts.
        var replaced = await PostSilenceAsync(service, new { id, matchers = new[] { new { name = "slo", value = "search", isRegex = false, isEqual = true } }, startsAt = start, endsAt = start.AddHours(1), createdBy = "bob", comment = "other" });
        Assert.NotEqual(id, replaced);
        Assert.Equal("expired", (await GetAsync(service, $"/api/v2/silence/{id}")).GetProperty("status").GetProperty("state").GetString());
        var now = await GetAsync(service, "/api/v2/silences");
        Assert.Equal([replaced, id], now.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        var v1 = await GetAsync(service, "/api/v1/silences?state=active");
        Assert.Equal(replaced, Assert.Single(v1.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await service.Http.DeleteAsync($"/api/v2/silence/{replaced}")).StatusCode);
        Assert.Empty((await GetAsync(service, "/api/v1/silences?state=active")).EnumerateArray());
    }

    private static object Alert(string name, string service, string severity, string slo) => new
    {
        labels = new Dictionary<string, string> { ["alertname"] = name, ["service"] = service, ["severity"] = severity, ["slo"] = slo },
        annotations = new Dictionary<string, string> { ["summary"] = $"{name} ({severity})" },
    };

    private static async Task PostAsync(TestService service, params object[] alerts)
    {
        using var response = await service.Http.PostAsJsonAsync("/api/v2/alerts", alerts);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> PostSilenceAsync(TestService service, object silence)
    {
        using var response = await service.Http.PostAsJsonAsync("/api/v2/silences", silence);
        var body = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("silenceID").GetString()!;
    }

    private static async Task<List<string>> KeysAsync(TestService service, string query) =>
        (await GetAsync(service, "/api/v2/alerts?" + query)).EnumerateArray().Select(a => Label(a, "service") + "/" + Label(a, "severity")).Order().ToList();

    private static async Task<JsonElement> GetAsync(TestService service, string path)
    {
        using var response = await service.Http.GetAsync(path);
        var body = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static string? Label(JsonElement alert, string name) => alert.GetProperty("labels").GetProperty(name).GetString();

    private static (string State, string SilencedBy, string InhibitedBy, string MutedBy) Status(JsonElement alert)
    {
        var status = alert.GetProperty("status");
        string Join(string name) => string.Join(",", status.GetProperty(name).EnumerateArray().Select(e => e.GetString()));
        return (status.GetProperty("state").GetString()!, Join("silencedBy"), Join("inhibitedBy"), Join("mutedBy"));
    }

    private static List<string?> Receivers(JsonElement alert) =>
        alert.GetProperty("receivers").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();

    /// <summary>Checks one value against its definition: required properties present, enums, date-times, nested definitions.</summary>
    private static void AssertShape(JsonElement value, string definition)
    {
        Assert.Equal(JsonValueKind.Object, value.ValueKind);
        foreach (var name in Required[definition])
        {
            Assert.True(value.TryGetProperty(name, out var property) && property.ValueKind != JsonValueKind.Null, $"{definition}.{name} is required: {value}");
            if (Enums.TryGetValue($"{definition}.{name}", out var allowed))
            {
                Assert.Contains(property.GetString(), allowed);
            }

            if (name is "startsAt" or "endsAt" or "updatedAt" or "uptime")
            {
                Assert.True(DateTimeOffset.TryParse(property.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"{definition}.{name}: {property}");
            }
        }

        switch (definition)
        {
            case "gettableAlert":
                AssertShape(value.GetProperty("status"), "alertStatus");
                foreach (var receiver in value.GetProperty("receivers").EnumerateArray())
                {
                    AssertShape(receiver, "receiver");
                }

                Assert.Equal(JsonValueKind.Object, value.GetProperty("labels").ValueKind);
                Assert.Equal(JsonValueKind.Object, value.GetProperty("annotations").ValueKind);
                break;
            case "alertStatus":
                Assert.Equal(JsonValueKind.Array, value.GetProperty("silencedBy").ValueKind);
                Assert.Equal(JsonValueKind.Array, value.GetProperty("inhibitedBy").ValueKind);
                break;
            case "alertGroup":
                AssertShape(value.GetProperty("receiver"), "receiver");
                foreach (var alert in value.GetProperty("alerts").EnumerateArray())
                {
                    AssertShape(alert, "gettableAlert");
                }

                break;
            case "gettableSilence":
                AssertShape(value.GetProperty("status"), "silenceStatus");
                Assert.NotEqual(0, value.GetProperty("matchers").GetArrayLength());
                foreach (var matcher in value.GetProperty("matchers").EnumerateArray())
                {
                    AssertShape(matcher, "matcher");
                }

                break;
            case "alertmanagerStatus":
                AssertShape(value.GetProperty("cluster"), "clusterStatus");
                AssertShape(value.GetProperty("versionInfo"), "versionInfo");
                AssertShape(value.GetProperty("config"), "alertmanagerConfig");
                break;
        }
    }
}
