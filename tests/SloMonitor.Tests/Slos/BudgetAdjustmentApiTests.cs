using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>Budget adjustments through the real host: stored in PostgreSQL and applied by the next evaluation.</summary>
public sealed class BudgetAdjustmentApiTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99
            sli: {kind: availability}
          - name: checkout-by-route
            service: checkout
            objective: 99
            groupBy: [http.route]
            sli: {kind: availability}
        """;

    [Fact]
    public async Task AnAdjustmentOverTheFailuresGivesTheBudgetBackAndClearsTheAlertsUntilItIsDeleted()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Settings = { ["Slos:EvaluationInterval"] = "01:00:00" } });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 500);
        await service.EvaluateRoundAsync();
        var before = await StatusAsync(service);
        Assert.True(before.GetProperty("errorBudget").GetProperty("remainingRatio").GetDouble() < 0);
        Assert.Equal("page", before.GetProperty("state").GetString());

        var now = DateTimeOffset.UtcNow;
        var body = $$"""{"from": "{{now.AddMinutes(-10):O}}", "to": "{{now.AddMinutes(1):O}}", "reason": "database failover drill"}""";
        using var alice = await service.ClientWithAsync("alice", "write");
        var created = await alice.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", body));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        await service.EvaluateRoundAsync();
        var adjusted = await StatusAsync(service);
        Assert.Equal(0, adjusted.GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
        Assert.Equal(0, adjusted.GetProperty("windows").GetProperty("5m").GetProperty("total").GetInt64());
        Assert.Equal(0, adjusted.GetProperty("errorBudget").GetProperty("consumed").GetDouble());

        var list = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability/adjustments");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(("alice", "database failover drill"), (listed.GetProperty("author").GetString(), listed.GetProperty("reason").GetString()));

        var delete = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/slos/checkout-availability/adjustments/{id}");
        using var bob = await service.ClientWithAsync("bob", "write");
        Assert.Equal(HttpStatusCode.NoContent, (await bob.SendAsync(delete)).StatusCode);
        await service.EvaluateRoundAsync();
        Assert.True((await StatusAsync(service)).GetProperty("errorBudget").GetProperty("remainingRatio").GetDouble() < 0);
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability/adjustments")).EnumerateArray());
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT author || '/' || deleted_by FROM budget_adjustment";
        Assert.Equal("alice/bob", await command.ExecuteScalarAsync());
        var audit = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/audit?kind=slo");
        Assert.Equal([("bob", "slo.adjustment.deleted"), ("alice", "slo.adjustment.created")],
            audit.EnumerateArray().Where(e => e.GetProperty("action").GetString()!.StartsWith("slo.adjustment", StringComparison.Ordinal))
                .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString())));
    }

    [Theory]
    [InlineData("""{"to": "2026-01-01T02:00:00Z", "reason": "x"}""", "from")]
    [InlineData("""{"from": "yesterday", "to": "2026-01-01T02:00:00Z", "reason": "x"}""", "from")]
    [InlineData("""{"from": "2026-01-01T02:00:00Z", "to": "2026-01-01T01:00:00Z", "reason": "x"}""", "to")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z"}""", "reason")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "selector": "peer.service=\"bank\""}""", "selector")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": "weekly"}""", "recurrence")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"count": 3}}""", "recurrence.every")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"every": "1h", "count": 3}}""", "recurrence.every")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"every": "7d"}}""", "recurrence.until")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"every": "7d", "count": 2, "until": "2026-02-01T00:00:00Z"}}""", "recurrence.until")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"every": "7d", "count": 0}}""", "recurrence.count")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"every": "7d", "until": "2027-06-01T00:00:00Z"}}""", "recurrence.until")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "recurrence": {"every": "1d", "count": 6}}""", "recurrence")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "incident": 987654}""", "incident")]
    [InlineData("""{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x", "incident": "INC-1"}""", "incident")]
    [InlineData("""[]""", "body")]
    public async Task ABadAdjustmentIsA400NamingItsField(string body, string field)
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Settings = { ["Slos:MaxAdjustmentsPerSlo"] = "5" } });

        var response = await service.Http.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task ARecurringMaintenanceTakesOutEachOccurrenceAndAnAdjustmentLinksTheIncidentItWasDeclaredFor()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            Settings = { ["Slos:EvaluationInterval"] = "01:00:00", ["Slos:MaxAdjustmentsPerSlo"] = "5" },
        });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 500);
        var incident = await AddIncidentAsync(service);
        var now = DateTimeOffset.UtcNow;
        var yesterday = now.AddDays(-1);

        // A daily maintenance window that began yesterday: its second occurrence covers the traffic just sent.
        var body = $$"""
            {"from": "{{yesterday.AddMinutes(-10):O}}", "to": "{{yesterday.AddMinutes(1):O}}", "reason": "nightly batch",
             "recurrence": {"every": "1d", "count": 3}, "incident": {{incident}}}
            """;
        var created = await service.Http.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", body));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await service.EvaluateRoundAsync();

        var status = await StatusAsync(service);
        Assert.Equal(0, status.GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
        Assert.Equal(0, status.GetProperty("errorBudget").GetProperty("consumed").GetDouble());
        var listed = Assert.Single((await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability/adjustments")).EnumerateArray());
        var recurrence = listed.GetProperty("recurrence");
        Assert.Equal(("1d", 3), (recurrence.GetProperty("every").GetString(), recurrence.GetProperty("occurrences").GetInt32()));
        Assert.Equal(yesterday.AddMinutes(-10).AddDays(3), recurrence.GetProperty("until").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(incident, listed.GetProperty("incident").GetInt64());
        Assert.Equal($"/ui/incidents/{incident}", listed.GetProperty("incidentUrl").GetString());

        // Each occurrence counts against Slos:MaxAdjustmentsPerSlo (5 here): three are taken, two more fit, three do not.
        string More(int count) => $$$"""{"from": "{{{now.AddDays(5):O}}}", "to": "{{{now.AddDays(5).AddHours(1):O}}}", "reason": "x", "recurrence": {"every": "1d", "count": {{{count}}}}}""";
        var refused = await service.Http.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", More(3)));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Slos:MaxAdjustmentsPerSlo", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await service.Http.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", More(2)))).StatusCode);
    }

    [Fact]
    public async Task ASelectorAdjustmentTakesOutOnlyTheMatchingRoutesEventsAndRefusesSelectorsOverAttributesNotGrouped()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Settings = { ["Slos:EvaluationInterval"] = "01:00:00" } });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 500);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/find", 1000, 0);
        var now = DateTimeOffset.UtcNow;
        string Body(string selector) => $$"""{"from": "{{now.AddMinutes(-10):O}}", "to": "{{now.AddMinutes(1):O}}", "reason": "payment provider outage", "selector": {{JsonSerializer.Serialize(selector)}}}""";

        var created = await service.Http.SendAsync(Post("api/v1/slos/checkout-by-route/adjustments", Body("http.route=\"/api/pay\"")));
        var notGrouped = await service.Http.SendAsync(Post("api/v1/slos/checkout-by-route/adjustments", Body("peer.service=\"bank\"")));
        var malformed = await service.Http.SendAsync(Post("api/v1/slos/checkout-by-route/adjustments", Body("http.route=~")));
        await service.EvaluateRoundAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("http.route=\"/api/pay\"", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("selector").GetString());
        var status = (await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-by-route")).GetProperty("status");
        Assert.Equal(1000, status.GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
        Assert.Equal(0, status.GetProperty("errorBudget").GetProperty("consumed").GetDouble());
        Assert.Equal(HttpStatusCode.BadRequest, notGrouped.StatusCode);
        Assert.Contains("groupBy attributes (http.route)", await notGrouped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("selector", (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task AdjustmentsOfAnUnknownSloAreA404()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/nope/adjustments")).StatusCode);
        var post = await service.Http.SendAsync(Post("api/v1/slos/nope/adjustments", """{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x"}"""));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    private static async Task<long> AddIncidentAsync(TestService service)
    {
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO incident (tenant, fingerprint, state, severity, title, service, slo, alert_labels, alert_annotations, alert_starts_at, opened_at)
            VALUES ('default', 'f1', 'triggered', 'page', 'batch overload', 'checkout', 'checkout-availability', '{}', '{}', now(), now())
            RETURNING id
            """;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> StatusAsync(TestService service) =>
        (await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability")).GetProperty("status");

    private static HttpRequestMessage Post(string path, string body) =>
        new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
