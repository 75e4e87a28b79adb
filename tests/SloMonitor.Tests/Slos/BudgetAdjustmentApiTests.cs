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
    [InlineData("""[]""", "body")]
    public async Task ABadAdjustmentIsA400NamingItsField(string body, string field)
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        var response = await service.Http.SendAsync(Post("api/v1/slos/checkout-availability/adjustments", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task AdjustmentsOfAnUnknownSloAreA404()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/nope/adjustments")).StatusCode);
        var post = await service.Http.SendAsync(Post("api/v1/slos/nope/adjustments", """{"from": "2026-01-01T00:00:00Z", "to": "2026-01-01T02:00:00Z", "reason": "x"}"""));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    private static async Task<JsonElement> StatusAsync(TestService service) =>
        (await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability")).GetProperty("status");

    private static HttpRequestMessage Post(string path, string body) =>
        new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
