using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// Two tenants on one service: each defines, feeds and reads its own SLOs only. The same SLO name and the same
/// service name in both stay apart, and nothing of one shows in the other's answers or on its /metrics.
/// </summary>
public sealed class SloTenantTests
{
    [Fact]
    public async Task TheSameSloNameInTwoTenantsIsTwoSlosEachFedOnlyByItsOwnTenantsSpans()
    {
        await using var service = await TestService.StartAsync();
        var (acme, acmeToken) = await service.TenantClientAsync("acme", "acme-all", "ingest", "read", "write");
        var (globex, globexToken) = await service.TenantClientAsync("globex", "globex-all", "ingest", "read", "write");

        Assert.Equal(HttpStatusCode.Created, (await Put(acme, "checkout", "acme checkout promise", 99.5)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync("/api/v1/slos/checkout")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(globex, "checkout", "globex checkout promise", 99)).StatusCode);

        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "shop", "/pay", count: 30, errors: 3, token: acmeToken);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "shop", "/pay", count: 7, errors: 0, token: globexToken);
        await service.EvaluateRoundAsync();

        var mine = await Detail(acme, "checkout");
        var theirs = await Detail(globex, "checkout");
        Assert.Equal((30L, 27L), Counts(mine));
        Assert.Equal((7L, 7L), Counts(theirs));
        Assert.Equal("acme checkout promise", mine.GetProperty("description").GetString());
        Assert.Equal(99, theirs.GetProperty("objective").GetDouble());

        // The default tenant (the service's own admin token) has neither.
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("/api/v1/slos/checkout")).StatusCode);
        var listed = await globex.GetStringAsync("/api/v1/slos");
        Assert.DoesNotContain("acme checkout promise", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATenantCannotChangeOrDeleteAnotherTenantsSloAndSeesOnlyItsOwnOnMetrics()
    {
        await using var service = await TestService.StartAsync();
        var (acme, acmeToken) = await service.TenantClientAsync("acme", "acme-all", "ingest", "read", "write");
        var (globex, _) = await service.TenantClientAsync("globex", "globex-all", "ingest", "read", "write");
        Assert.Equal(HttpStatusCode.Created, (await Put(acme, "acme-only-availability", "acme", 99)).StatusCode);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "shop", "/pay", count: 10, errors: 0, token: acmeToken);
        await service.EvaluateRoundAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await globex.DeleteAsync("/api/v1/slos/acme-only-availability")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync("/api/v1/slos/acme-only-availability/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync("/api/v1/slos/acme-only-availability/adjustments")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync("/api/v1/gates/shop")).StatusCode);
        Assert.Equal((10L, 10L), Counts(await Detail(acme, "acme-only-availability")));

        var acmeMetrics = await acme.GetStringAsync("/metrics");
        var globexMetrics = await globex.GetStringAsync("/metrics");
        Assert.Contains("slomon_sli_ratio{slo=\"acme-only-availability\"", acmeMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-only-availability", globexMetrics, StringComparison.Ordinal);
        Assert.Contains("slomon_evaluation_duration_seconds", globexMetrics, StringComparison.Ordinal);

        var report = await globex.GetStringAsync("/api/v1/reports");
        Assert.DoesNotContain("acme-only-availability", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATenantsSlosAndTheirSeriesComeBackAfterARestart()
    {
        await using var database = await TestDatabase.CreateAsync();
        string token;
        await using (var first = await TestService.StartAsync(new TestServiceOptions { Database = database }))
        {
            var (acme, acmeToken) = await first.TenantClientAsync("acme", "acme-all", "ingest", "read", "write");
            token = acmeToken;
            Assert.Equal(HttpStatusCode.Created, (await Put(acme, "checkout", "acme", 99)).StatusCode);
            await OtlpPush.SpansAsync(first.OtlpHttpEndpoint, "shop", "/pay", count: 12, errors: 2, token: acmeToken);
        }

        await using var second = await TestService.StartAsync(new TestServiceOptions { Database = database });
        await second.EvaluateRoundAsync();
        using var client = second.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal((12L, 10L), Counts(await Detail(client, "checkout")));
        Assert.Equal(HttpStatusCode.NotFound, (await second.Http.GetAsync("/api/v1/slos/checkout")).StatusCode);
    }

    [Fact]
    public async Task ATenantAtItsSloCapIsRefusedWithTheCapNamedWhileAnotherTenantStillCreates()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Slos:MaxSlosPerTenant"] = "2" } });
        var (acme, _) = await service.TenantClientAsync("acme", "acme-all", "read", "write");
        var (globex, _) = await service.TenantClientAsync("globex", "globex-all", "read", "write");
        Assert.Equal(HttpStatusCode.Created, (await Put(acme, "one", "acme", 99)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(acme, "two", "acme", 99)).StatusCode);

        var third = await Put(acme, "three", "acme", 99);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, third.StatusCode);
        Assert.Contains("Slos:MaxSlosPerTenant", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Put(acme, "two", "acme changed", 99.9)).StatusCode); // a change is no new SLO

        var apply = await acme.PostAsync("/api/v1/slos/apply", new StringContent(
            """{"slos": [{"name": "three", "service": "shop", "objective": 99, "sli": {"kind": "availability"}}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, apply.StatusCode);
        Assert.Contains("Slos:MaxSlosPerTenant", await apply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync("/api/v1/slos/three")).StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await Put(globex, "one", "globex", 99)).StatusCode);
    }

    private static Task<HttpResponseMessage> Put(HttpClient client, string name, string description, double objective) =>
        client.PutAsync($"/api/v1/slos/{name}", new StringContent(
            JsonSerializer.Serialize(new { service = "shop", objective, description, sli = new { kind = "availability" } }), Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> Detail(HttpClient client, string name)
    {
        var response = await client.GetAsync($"/api/v1/slos/{name}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static (long Total, long Good) Counts(JsonElement detail)
    {
        var window = detail.GetProperty("status").GetProperty("windows").GetProperty("5m");
        return (window.GetProperty("total").GetInt64(), window.GetProperty("good").GetInt64());
    }
}
