using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>
/// What the SLO API reads: the status the evaluation loop published, through the real host. /metrics is one registry
/// per process, so these SLOs have names no other test uses.
/// </summary>
public sealed class SloSnapshotApiTests
{
    private const string Slos = """
        slos:
          - name: snapshot-checkout
            service: checkout
            objective: 99.9
            windows: [30d, 7d]
            sli: {kind: availability}
          - name: snapshot-search
            service: search
            objective: 99.5
            sli: {kind: availability}
        """;

    [Fact]
    public async Task AThousandReadsOfABurningSloLeaveItsAlertAndEvaluationTimeAsTheRoundLeftThem()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 100);
        await service.EvaluateRoundAsync();
        var (since, evaluatedAt) = await PageAsync(service);

        for (var i = 0; i < 1000; i++)
        {
            using var response = await service.Http.GetAsync(i % 2 == 0 ? "api/v1/slos/snapshot-checkout" : "api/v1/slos?latency=true");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal((since, evaluatedAt), await PageAsync(service));
        await service.EvaluateRoundAsync();
        var (sinceAfterRound, evaluatedAfterRound) = await PageAsync(service);
        Assert.Equal(since, sinceAfterRound);
        Assert.True(evaluatedAfterRound > evaluatedAt);
    }

    [Fact]
    public async Task ListEntriesCarryTheirEvaluationTimeAndEveryWindowsBudget()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 2);
        await service.EvaluateRoundAsync();

        using var list = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos?service=checkout"));
        var entry = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(["30d", "7d"], entry.GetProperty("windows").EnumerateArray().Select(w => w.GetString()));
        var status = entry.GetProperty("status");
        Assert.True(status.GetProperty("evaluatedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
        var budgets = status.GetProperty("errorBudgets");
        Assert.Equal(-1.0, budgets.GetProperty("30d").GetProperty("remainingRatio").GetDouble(), 9); // 2 bad of 1 allowed
        Assert.Equal(-1.0, budgets.GetProperty("7d").GetProperty("remainingRatio").GetDouble(), 9);
        Assert.Equal(1000, status.GetProperty("windows").GetProperty("7d").GetProperty("total").GetInt64());

        var metrics = await service.Http.GetStringAsync("metrics");
        Assert.Contains("slomon_error_budget_remaining_ratio{slo=\"snapshot-checkout\",window=\"7d\"} -1", metrics);
        Assert.Matches(@"(?m)^slomon_sli_memory_bytes [1-9]", metrics);
        Assert.Matches(@"(?m)^slomon_evaluation_snapshot_age_seconds [0-9]", metrics);
        Assert.Contains("slomon_error_budget_remaining_ratio{slo=\"snapshot-checkout\",window=\"30d\"} -1", metrics);
    }

    [Fact]
    public async Task AnSloPutThroughTheApiIsEvaluatedAtOnceWithTheDataAlreadyRecorded()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            Settings = { ["Slos:EvaluationInterval"] = "01:00:00" }, // no round will run during the test
        });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 500, 5);
        var before = DateTimeOffset.UtcNow;

        // A metadata change keeps the file SLO's series; a new API SLO starts empty but has a status at once.
        using var put = await service.Http.PutAsync("api/v1/slos/cart-availability", Json("""{"service": "cart", "objective": 99, "window": "7d", "sli": {"kind": "availability"}}"""));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var created = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        var status = created.RootElement.GetProperty("status");
        Assert.Equal("nodata", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("evaluatedAt").GetDateTimeOffset() >= before - TimeSpan.FromSeconds(1));
        using var rules = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/cart-availability"));
        var firstRule = rules.RootElement.GetProperty("alerting").GetProperty("rules")[0];
        Assert.Equal(("14m", "70s", 14.4), (firstRule.GetProperty("longWindow").GetString(), firstRule.GetProperty("shortWindow").GetString(), Math.Round(firstRule.GetProperty("threshold").GetDouble(), 9)));

        using var listed = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos"));
        Assert.Contains("cart-availability", listed.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        using var deleted = await service.Http.DeleteAsync("api/v1/slos/cart-availability");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await service.Http.GetAsync("api/v1/slos/cart-availability");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task ARuleThatWouldTicketAHealthyServiceIsRefusedByThePutWithItsField()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        using var put = await service.Http.PutAsync("api/v1/slos/cart", Json("""
            {"service": "cart", "objective": 99, "window": "28d", "sli": {"kind": "availability"},
             "alerting": {"rules": [{"severity": "ticket", "longWindow": "3d", "shortWindow": "6h", "budgetShare": 0.1}]}}
            """));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        using var body = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        var error = Assert.Single(body.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal("$.alerting.rules[0].budgetShare", error.GetProperty("field").GetString());
        Assert.Contains("0.933", error.GetProperty("message").GetString());
        using var missing = await service.Http.GetAsync("api/v1/slos/cart");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task AnSloWhoseEvaluationFailsShowsErrorInTheApiAndOnMetricsWhileTheOthersGoOn()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        service.Services.GetRequiredService<SloEngine>().BeforeEvaluation =
            d => _ = d.Name == "snapshot-search" ? throw new InvalidOperationException("corrupt series") : 0;
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 100, 0);
        await service.EvaluateRoundAsync();

        using var failed = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/snapshot-search"));
        var status = failed.RootElement.GetProperty("status");
        Assert.Equal("error", status.GetProperty("state").GetString());
        Assert.Contains("corrupt series", status.GetProperty("problems")[0].GetString());
        using var healthy = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/snapshot-checkout"));
        Assert.Equal("ok", healthy.RootElement.GetProperty("status").GetProperty("state").GetString());
        var metrics = await service.Http.GetStringAsync("metrics");
        Assert.Contains("slomon_slo_evaluation_failed{slo=\"snapshot-search\"} 1", metrics);
        Assert.Contains("slomon_slo_evaluation_failed{slo=\"snapshot-checkout\"} 0", metrics);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task AGaugePointExportedAfterItsSliceEndedIsCountedOnceTheLatenessAllowancePassed()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = """
                - name: replication-lag
                  service: db
                  objective: 99
                  sli: {kind: gauge, metric: pg.replication.lag, threshold: 5, timeslice: 10s, lateness: 4s}
                """,
            Settings = { ["Slos:EvaluationInterval"] = "01:00:00" },
        });
        var slice = TimeSpan.FromSeconds(10);
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / slice.Ticks * slice.Ticks, TimeSpan.Zero) + slice;
        await WaitUntilAsync(start + TimeSpan.FromSeconds(1));
        await OtlpMetrics.SendGaugeAsync(service.OtlpHttpEndpoint, "db", "pg.replication.lag", start + TimeSpan.FromSeconds(1), 0.5);

        // The slice ended a second ago; its last point, a lag above the threshold, arrives now.
        await WaitUntilAsync(start + slice + TimeSpan.FromSeconds(1));
        await OtlpMetrics.SendGaugeAsync(service.OtlpHttpEndpoint, "db", "pg.replication.lag", start + TimeSpan.FromSeconds(9), 8);
        await service.EvaluateRoundAsync();
        var pending = await FiveMinutesAsync(service, "replication-lag");
        Assert.Equal((0L, 0L, 1L), (pending.GetProperty("good").GetInt64(), pending.GetProperty("total").GetInt64(), pending.GetProperty("pendingSlices").GetInt64()));

        await WaitUntilAsync(start + slice + TimeSpan.FromSeconds(5));
        await service.EvaluateRoundAsync();
        var judged = await FiveMinutesAsync(service, "replication-lag");
        Assert.Equal((0L, 1L, 0L), (judged.GetProperty("good").GetInt64(), judged.GetProperty("total").GetInt64(), judged.GetProperty("pendingSlices").GetInt64()));
    }

    private static async Task<JsonElement> FiveMinutesAsync(TestService service, string name)
    {
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/" + name));
        return slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("5m").Clone();
    }

    private static async Task WaitUntilAsync(DateTimeOffset instant)
    {
        var wait = instant - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static async Task<(DateTimeOffset Since, DateTimeOffset EvaluatedAt)> PageAsync(TestService service)
    {
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/snapshot-checkout"));
        var status = slo.RootElement.GetProperty("status");
        var page = status.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("severity").GetString() == "page");
        return (page.GetProperty("since").GetDateTimeOffset(), status.GetProperty("evaluatedAt").GetDateTimeOffset());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
