using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Gates;

/// <summary>The deploy gate through the real host: its answer, its overrides in PostgreSQL, and the real <c>SloMonitor gate</c>.</summary>
public sealed class DeployGateTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99
            policy: {freezeBelow: 0, freezeWhilePaging: true}
            sli: {kind: availability}
          - name: checkout-latency
            service: checkout
            objective: 99
            sli: {kind: latency, threshold: 10s}
          - name: search-availability
            service: search
            objective: 99
            policy: {freezeBelow: 0.5}
            sli: {kind: availability}
        """;

    [Fact]
    public async Task AnOverspentPagingSloDeniesItsServiceWithEveryReasonUntilAnOverrideAllowsItAndARemovedOverrideDeniesAgain()
    {
        await using var service = await StartAsync();

        var gate = await GateAsync(service, "checkout");

        Assert.False(gate.GetProperty("allow").GetBoolean());
        Assert.False(gate.GetProperty("overridden").GetBoolean());
        var reasons = gate.GetProperty("reasons").EnumerateArray().Select(r => (r.GetProperty("slo").GetString(), r.GetProperty("kind").GetString())).ToList();
        Assert.Equal([("checkout-availability", "budget"), ("checkout-availability", "paging")], reasons);
        var slos = gate.GetProperty("slos").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.True(slos["checkout-availability"].GetProperty("blocking").GetBoolean());
        Assert.True(slos["checkout-availability"].GetProperty("remainingRatio").GetDouble() < 0);
        Assert.Contains(slos["checkout-availability"].GetProperty("firingAlerts").EnumerateArray(), a => a.GetProperty("severity").GetString() == "page");
        Assert.False(slos["checkout-latency"].GetProperty("blocking").GetBoolean());
        Assert.Equal(JsonValueKind.Null, slos["checkout-latency"].GetProperty("policy").ValueKind);

        using var alice = await service.ClientWithAsync("alice", "write");
        var created = await alice.SendAsync(Post("api/v1/gates/checkout/overrides", """{"reason": "hotfix for the outage", "duration": "1h"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var overridden = await GateAsync(service, "checkout");
        Assert.True(overridden.GetProperty("allow").GetBoolean());
        Assert.True(overridden.GetProperty("overridden").GetBoolean());
        Assert.Equal(2, overridden.GetProperty("reasons").GetArrayLength());
        var active = Assert.Single(overridden.GetProperty("overrides").EnumerateArray());
        Assert.Equal(("alice", "hotfix for the outage"), (active.GetProperty("author").GetString(), active.GetProperty("reason").GetString()));
        var expiresIn = active.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));

        var other = await GateAsync(service, "search");
        Assert.True(other.GetProperty("allow").GetBoolean());
        Assert.Empty(other.GetProperty("overrides").EnumerateArray());

        var remove = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/gates/checkout/overrides/{id}");
        using var bob = await service.ClientWithAsync("bob", "write");
        Assert.Equal(HttpStatusCode.NoContent, (await bob.SendAsync(remove)).StatusCode);
        Assert.False((await GateAsync(service, "checkout")).GetProperty("allow").GetBoolean());
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT author || '/' || removed_by FROM gate_override";
        Assert.Equal("alice/bob", await command.ExecuteScalarAsync());
        var audit = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/audit?kind=gate");
        Assert.Equal([("bob", "gate.override.removed"), ("alice", "gate.override.created")],
            audit.EnumerateArray().Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString())));
    }

    [Theory]
    [InlineData("""{"duration": "1h"}""", "reason")]
    [InlineData("""{"reason": "x"}""", "expiresAt")]
    [InlineData("""{"reason": "x", "duration": "1h", "expiresAt": "2099-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"reason": "x", "expiresAt": "2001-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"reason": "x", "expiresAt": "tomorrow"}""", "expiresAt")]
    [InlineData("""{"reason": "x", "duration": "8d"}""", "duration")]
    [InlineData("""{"reason": "x", "duration": "soon"}""", "duration")]
    [InlineData("""[1]""", "body")]
    [InlineData("""{"reason": """, "body")]
    public async Task ABadOverrideIsA400NamingItsField(string body, string field)
    {
        await using var service = await StartAsync(evaluate: false);

        var response = await service.Http.SendAsync(Post("api/v1/gates/checkout/overrides", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task AGateOrOverrideOfAServiceWithoutSlosIsA404NamingTheService()
    {
        await using var service = await StartAsync(evaluate: false);

        var gate = await service.Http.GetAsync("api/v1/gates/nowhere");
        var overrideResponse = await service.Http.SendAsync(Post("api/v1/gates/nowhere/overrides", """{"reason": "x", "duration": "1h"}"""));

        Assert.Equal(HttpStatusCode.NotFound, gate.StatusCode);
        Assert.Equal("service", (await gate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NotFound, overrideResponse.StatusCode);
    }

    [Fact]
    public async Task TheGateCommandExitsZeroWhenAllowedOneWhenDeniedAndTwoOnUsageErrorsUnknownServicesOrNoServer()
    {
        await using var service = await StartAsync();
        var directory = Directory.CreateTempSubdirectory("slo-gate-").FullName;
        try
        {
            var url = service.BaseAddress.ToString();
            var token = new Dictionary<string, string> { ["SLOMONITOR_TOKEN"] = service.AdminToken };
            var denied = await CliProcess.RunAsync(directory, token, "gate", "--service", "checkout", "--server", url);
            var allowed = await CliProcess.RunAsync(directory, token, "gate", "--service", "search", "--url", url);
            var json = await CliProcess.RunAsync(directory, new Dictionary<string, string>(token) { ["SLOMONITOR_SERVER"] = url }, "gate", "-s", "search", "--json");
            var unknown = await CliProcess.RunAsync(directory, token, "gate", "--service", "nowhere", "--server", url);
            var usage = await CliProcess.RunAsync(directory, token, "gate", "--server", url);
            var unreachable = await CliProcess.RunAsync(directory, token, "gate", "--service", "checkout", "--server", $"http://127.0.0.1:{TestService.FreePort()}");
            var anonymous = await CliProcess.RunAsync(directory, null, "gate", "--service", "search", "--server", url);

            Assert.True(denied.Code == 1, denied.ToString());
            Assert.StartsWith("deny: checkout may not release\n", denied.Stdout, StringComparison.Ordinal);
            Assert.Contains("  checkout-availability: ", denied.Stdout, StringComparison.Ordinal);
            Assert.Contains("(freezeWhilePaging)", denied.Stdout, StringComparison.Ordinal);
            Assert.True(allowed.Code == 0, allowed.ToString());
            Assert.Equal("allow: search may release\n", allowed.Stdout);
            Assert.True(json.Code == 0, json.ToString());
            Assert.True(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("allow").GetBoolean());
            Assert.True(unknown.Code == 2, unknown.ToString());
            Assert.Contains("404", unknown.Stderr, StringComparison.Ordinal);
            Assert.True(usage.Code == 2, usage.ToString());
            Assert.Contains("--service is required", usage.Stderr, StringComparison.Ordinal);
            Assert.True(unreachable.Code == 2, unreachable.ToString());
            Assert.True(anonymous.Code == 2, anonymous.ToString()); // without SLOMONITOR_TOKEN the service answers 401
            Assert.Contains("401", anonymous.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AnSloTimelineShowsItsServicesGateOverridesItsAdjustmentsAndItsIncidentsNewestFirst()
    {
        await using var service = await StartAsync(evaluate: false);
        using var alice = await service.ClientWithAsync("alice", "write");
        Assert.Equal(HttpStatusCode.Created, (await alice.SendAsync(Post("api/v1/gates/checkout/overrides", """{"reason": "hotfix", "duration": "1h"}"""))).StatusCode);
        var now = DateTimeOffset.UtcNow;
        var adjustment = $$"""{"from": "{{now.AddHours(-2):O}}", "to": "{{now.AddHours(-1):O}}", "reason": "maintenance"}""";
        Assert.Equal(HttpStatusCode.Created, (await alice.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", adjustment))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await service.Http.SendAsync(Post("api/v1/gates/search/overrides", """{"reason": "other service", "duration": "1h"}"""))).StatusCode);
        await using (var connection = await service.Database.DataSource.OpenConnectionAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO incident (tenant, fingerprint, state, severity, title, service, slo, alert_labels, alert_annotations, alert_starts_at, opened_at, acknowledged_at, acknowledged_by)
                VALUES ('default', 'f', 'acknowledged', 'page', 'burning', 'checkout', 'checkout-availability', '{}', '{}', now(), now() + interval '1 second', now() + interval '2 seconds', 'bob')
                """;
            await command.ExecuteNonQueryAsync();
        }

        var timeline = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability/timeline");
        var unknown = await service.Http.GetAsync("api/v1/slos/nowhere/timeline");
        var badLimit = await service.Http.GetAsync("api/v1/slos/checkout-availability/timeline?limit=0");

        Assert.Equal(
            [("incident", "incident.acknowledged", "bob"), ("incident", "incident.opened", "slomonitor"), ("adjustment", "slo.adjustment.created", "alice"), ("gate", "gate.override.created", "alice")],
            timeline.EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("action").GetString(), e.GetProperty("actor").GetString())));
        Assert.Equal("hotfix", timeline[3].GetProperty("details").GetProperty("reason").GetString());
        Assert.StartsWith("/ui/incidents/", timeline[0].GetProperty("incidentUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    /// <summary>The service with the SLOs above; checkout burns 50 % errors against a 1 % budget, search none.</summary>
    private static async Task<TestService> StartAsync(bool evaluate = true)
    {
        var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        if (evaluate)
        {
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 500);
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "search", "/api/find", 1000, 0);
        }

        await service.EvaluateRoundAsync();
        return service;
    }

    private static async Task<JsonElement> GateAsync(TestService service, string name)
    {
        var response = await service.Http.GetAsync($"api/v1/gates/{name}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static HttpRequestMessage Post(string path, string body) =>
        new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
}
