using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using SloMonitor.Otlp.Trace;
using SloMonitor.Slos.Definitions;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>SLOs through the real host: spans over real OTLP/HTTP, definitions from a file and the API, PostgreSQL.</summary>
public sealed class SlosEndToEndTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99.9
            window: 30d
            labels: {team: payments}
            runbookUrl: https://runbooks.example/checkout
            dashboardUrl: https://dashboards.example/checkout
            sli:
              kind: availability
              match: 'span.kind="server", http.route=~"/api/.*"'
          - name: checkout-latency
            service: checkout
            objective: 99
            labels: {team: payments}
            groupBy: [http.route]
            sli: {kind: latency, threshold: 300ms}
          - name: search-availability
            service: search
            objective: 99.5
            labels: {team: discovery}
            sli: {kind: availability}
        """;

    [Fact]
    public async Task OnePointFivePercentErrorsPushedOverOtlpPageThroughTheApi()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 15);
        await service.EvaluateRoundAsync();

        using var slo = await GetJsonAsync(service, "api/v1/slos/checkout-availability");
        var status = slo.RootElement.GetProperty("status");
        Assert.Equal("page", status.GetProperty("state").GetString());
        var fiveMinutes = status.GetProperty("windows").GetProperty("5m");
        Assert.Equal(985, fiveMinutes.GetProperty("good").GetInt64());
        Assert.Equal(1000, fiveMinutes.GetProperty("total").GetInt64());
        Assert.Equal(15, fiveMinutes.GetProperty("burnRate").GetDouble(), 9);
        Assert.Equal(0.015, fiveMinutes.GetProperty("errorRate").GetDouble(), 12);
        Assert.False(fiveMinutes.TryGetProperty("latency", out _));
        var alert = status.GetProperty("alerts")[0];
        Assert.Equal("page", alert.GetProperty("severity").GetString());
        Assert.Equal("1h", alert.GetProperty("longWindow").GetString());
        Assert.Equal("5m", alert.GetProperty("shortWindow").GetString());
        Assert.Equal(14.4, alert.GetProperty("threshold").GetDouble(), 9);
    }

    [Fact]
    public async Task TheApiAnswersInTheDocumentedShapes()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 200, 0);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/cart", 400, 0);
        await service.EvaluateRoundAsync();

        using var list = await GetJsonAsync(service, "api/v1/slos?service=checkout&label=team=payments");
        Assert.Equal(["checkout-availability", "checkout-latency"], list.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var first = list.RootElement[0];
        foreach (var field in new[] { "service", "objective", "window", "labels" })
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }

        Assert.Equal("ok", first.GetProperty("status").GetProperty("state").GetString());

        using var latency = await GetJsonAsync(service, "api/v1/slos/checkout-latency");
        var root = latency.RootElement;
        Assert.Equal("latency", root.GetProperty("sli").GetProperty("kind").GetString());
        Assert.Equal(0.3, root.GetProperty("sli").GetProperty("threshold").GetDouble(), 12);
        var windows = root.GetProperty("status").GetProperty("windows");
        Assert.Equal(["1d", "1h", "2h", "30d", "30m", "3d", "5m", "6h"], windows.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var fiveMinutes = windows.GetProperty("5m");
        Assert.Equal((500L, 600L), (fiveMinutes.GetProperty("good").GetInt64(), fiveMinutes.GetProperty("total").GetInt64()));
        Assert.Equal(600 / 300.0, fiveMinutes.GetProperty("rate").GetDouble(), 9);
        var p99 = fiveMinutes.GetProperty("latency").GetProperty("p99").GetDouble();
        Assert.InRange(p99, 0.39 * 0.97, 0.40 * 1.03);
        var budget = root.GetProperty("status").GetProperty("errorBudget");
        foreach (var field in new[] { "total", "consumed", "remaining", "remainingRatio", "exhaustsAt" })
        {
            Assert.True(budget.TryGetProperty(field, out _), field);
        }

        var groups = root.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["/api/cart", "/api/pay"], groups.Select(g => g.GetProperty("labels").GetProperty("http.route").GetString()));
        Assert.Equal(200, groups[1].GetProperty("status").GetProperty("windows").GetProperty("1h").GetProperty("total").GetInt64());

        using var search = await GetJsonAsync(service, "api/v1/slos/search-availability");
        Assert.Equal("nodata", search.RootElement.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, search.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("sli").ValueKind);

        using var history = await GetJsonAsync(service, "api/v1/slos/checkout-availability/history?step=60");
        var point = history.RootElement.GetProperty("points").EnumerateArray().Last();
        Assert.True(point.GetProperty("burnRates").TryGetProperty("1h", out _));
        Assert.Equal(1.0, point.GetProperty("sli").GetDouble());

        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/missing")).StatusCode);
    }

    [Fact]
    public async Task TheBurndownSpansTheWholeSloWindowAndEndsAtTheBudgetRemaining()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 2000, 1);
        await service.EvaluateRoundAsync();

        using var burndown = await GetJsonAsync(service, "api/v1/slos/checkout-availability/burndown?points=60");
        using var slo = await GetJsonAsync(service, "api/v1/slos/checkout-availability");

        var root = burndown.RootElement;
        Assert.Equal(TimeSpan.FromDays(30), root.GetProperty("to").GetDateTimeOffset() - root.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(2, root.GetProperty("budgetEvents").GetDouble(), 9);
        var points = root.GetProperty("points").EnumerateArray().ToList();
        Assert.InRange(points.Count, 60, 61);
        Assert.Equal(root.GetProperty("from").GetDateTimeOffset(), points[0].GetProperty("time").GetDateTimeOffset());
        Assert.Equal(1.0, points[0].GetProperty("errorBudgetRemainingRatio").GetDouble());
        Assert.Equal(1.0, points[^1].GetProperty("badEvents").GetDouble());
        Assert.Equal(
            slo.RootElement.GetProperty("status").GetProperty("errorBudget").GetProperty("remainingRatio").GetDouble(),
            points[^1].GetProperty("errorBudgetRemainingRatio").GetDouble(),
            9);

        var badPoints = await service.Http.GetAsync("api/v1/slos/checkout-availability/burndown?points=0");
        Assert.Equal(HttpStatusCode.BadRequest, badPoints.StatusCode);
        Assert.Contains("\"field\":\"points\"", await badPoints.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/missing/burndown")).StatusCode);
    }

    [Fact]
    public async Task AnSloAddedThroughTheApiWithALongWindowGetsEventsOlderThanTheDefaultMaximumAge()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        var created = await PutAsync(service, "archive-availability", """{"service": "archive", "objective": 99, "window": "90d", "sli": {"kind": "availability"}}""");
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        // 60 days old: beyond the 31 days ingest keeps for the file's 30-day SLOs, within the new SLO's 90 days.
        var end = (ulong)(DateTimeOffset.UtcNow - TimeSpan.FromDays(60)).ToUnixTimeMilliseconds() * 1_000_000;
        var scope = new ScopeSpans();
        scope.Spans.Add(new Span
        {
            TraceId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
            SpanId = ByteString.CopyFrom(BitConverter.GetBytes(1L)),
            Name = "GET /archive",
            Kind = Span.Types.SpanKind.Server,
            StartTimeUnixNano = end - 1_000_000,
            EndTimeUnixNano = end,
        });
        await OtlpTraces.SendAsync(service.OtlpHttpEndpoint, "archive", scope);
        await service.EvaluateRoundAsync();

        using var slo = await GetJsonAsync(service, "api/v1/slos/archive-availability");
        Assert.Equal(1, slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("90d").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task TheListCarriesEveryWindowsCountsAndALatencySlosHistoryCarriesItsPercentiles()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/cart", 400, 0); // 1 ms .. 400 ms
        await service.EvaluateRoundAsync();
        var bound = SloMonitor.Histograms.HistogramSnapshot.Empty(5).RelativeError;

        using var list = await GetJsonAsync(service, "api/v1/slos?service=checkout");
        var latencyItem = list.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "checkout-latency");
        var windows = latencyItem.GetProperty("status").GetProperty("windows");
        Assert.Equal(["1d", "1h", "2h", "30d", "30m", "3d", "5m", "6h"], windows.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var fiveMinutes = windows.GetProperty("5m");
        Assert.Equal((300L, 400L), (fiveMinutes.GetProperty("good").GetInt64(), fiveMinutes.GetProperty("total").GetInt64()));
        Assert.Equal(400 / 300.0, fiveMinutes.GetProperty("rate").GetDouble(), 9);
        Assert.Equal(0.75, fiveMinutes.GetProperty("sli").GetDouble(), 12);
        Assert.Equal(0.25, fiveMinutes.GetProperty("errorRate").GetDouble(), 12);
        Assert.Equal(25, fiveMinutes.GetProperty("burnRate").GetDouble(), 9);
        Assert.False(fiveMinutes.TryGetProperty("latency", out _), "the list reads counters only unless asked for latency");
        var availability = list.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "checkout-availability");
        Assert.Equal(400, availability.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());

        using (var withLatency = await GetJsonAsync(service, "api/v1/slos?service=checkout&latency=true"))
        {
            var item = withLatency.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "checkout-latency");
            var p99 = item.GetProperty("status").GetProperty("windows").GetProperty("1h").GetProperty("latency").GetProperty("p99").GetDouble();
            Assert.InRange(p99, 0.396 * (1 - bound), 0.396 * (1 + bound));
        }

        using var badFlag = await service.Http.GetAsync("api/v1/slos?latency=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
        Assert.Contains("latency", await badFlag.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var history = await GetJsonAsync(service, "api/v1/slos/checkout-latency/history?step=60");
        Assert.Equal(300, history.RootElement.GetProperty("latencyWindow").GetDouble());
        var points = history.RootElement.GetProperty("points").EnumerateArray().ToList();
        var latency = points[^1].GetProperty("latency");
        Assert.InRange(latency.GetProperty("p50").GetDouble(), 0.200 * (1 - bound), 0.200 * (1 + bound));
        Assert.InRange(latency.GetProperty("p95").GetDouble(), 0.380 * (1 - bound), 0.380 * (1 + bound));
        Assert.InRange(latency.GetProperty("p99").GetDouble(), 0.396 * (1 - bound), 0.396 * (1 + bound));
        Assert.Equal(JsonValueKind.Null, points[0].GetProperty("latency").GetProperty("p99").ValueKind);

        using var availabilityHistory = await GetJsonAsync(service, "api/v1/slos/checkout-availability/history?step=60");
        Assert.False(availabilityHistory.RootElement.TryGetProperty("latencyWindow", out _));
        Assert.False(availabilityHistory.RootElement.GetProperty("points")[0].TryGetProperty("latency", out _));
    }

    [Fact]
    public async Task SlosPutThroughTheApiAreValidatedStoredAndDeleted()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        var invalid = await PutAsync(service, "pay-ratio", """{"service": "pay", "objective": 120, "sli": {"kind": "ratio", "total": "requests"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        using (var problems = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync()))
        {
            var fields = problems.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
            Assert.Contains("$.objective", fields);
            Assert.Contains("$.sli.good", fields);
        }

        var created = await PutAsync(service, "pay-ratio", """{"service": "pay", "objective": 99.5, "labels": {"team": "payments"}, "sli": {"kind": "ratio", "bad": "pay.failures", "total": "pay.requests"}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var replaced = await PutAsync(service, "pay-ratio", """{"service": "pay", "objective": 99.9, "sli": {"kind": "ratio", "bad": "pay.failures", "total": "pay.requests"}}""");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(service, "search-availability", """{"service": "search", "objective": 99, "sli": {"kind": "availability"}}""")).StatusCode);

        var store = new SloDefinitionStore(service.Database.DataSource);
        Assert.Equal("pay-ratio", Assert.Single(await store.ListAsync()).Name);
        using (var stored = await GetJsonAsync(service, "api/v1/slos/pay-ratio"))
        {
            Assert.Equal(99.9, stored.RootElement.GetProperty("objective").GetDouble());
            Assert.Equal("api", stored.RootElement.GetProperty("source").GetString());
        }

        Assert.Equal(HttpStatusCode.Conflict, (await service.Http.DeleteAsync("api/v1/slos/search-availability")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await service.Http.DeleteAsync("api/v1/slos/pay-ratio")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/pay-ratio")).StatusCode);
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task TheEvaluationLoopPublishesSloSeriesOnMetrics()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            // /metrics is one registry per process: an SLO name no other test uses keeps its series this test's own.
            SloYaml = Slos.Replace("checkout-availability", "metrics-probe-availability", StringComparison.Ordinal),
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.200" },
        });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 15);
        await service.EvaluateRoundAsync();

        var text = "";
        for (var attempt = 0; attempt < 100 && !text.Contains("slomon_slo_alert_active{slo=\"metrics-probe-availability\",severity=\"page\"} 1", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
            text = await service.Http.GetStringAsync("metrics");
        }

        Assert.Contains("slomon_slo_alert_active{slo=\"metrics-probe-availability\",severity=\"page\"} 1", text);
        Assert.Contains("slomon_burn_rate{slo=\"metrics-probe-availability\",window=\"5m\"} 15", text);
        Assert.Contains("slomon_sli_ratio{slo=\"metrics-probe-availability\",window=\"1h\"} 0.985", text);
        Assert.Contains("slomon_error_budget_remaining_ratio{slo=\"metrics-probe-availability\",window=\"30d\"}", text);
        Assert.Contains("slomon_evaluation_duration_seconds_count", text);
    }

    [Fact]
    public async Task SloWindowsAndApiDefinitionsSurviveARestart()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        await using (var first = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Database = database }))
        {
            await OtlpPush.SpansAsync(first.OtlpHttpEndpoint, "checkout", "/api/pay", 300, 3);
            var put = await PutAsync(first, "pay-ratio", """{"service": "pay", "objective": 99.5, "sli": {"kind": "ratio", "bad": "pay.failures", "total": "pay.requests"}}""");
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await using var second = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Database = database });
        using var slo = await GetJsonAsync(second, "api/v1/slos/checkout-availability");

        var hour = slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("1h");
        Assert.Equal((297L, 300L), (hour.GetProperty("good").GetInt64(), hour.GetProperty("total").GetInt64()));
        using var stored = await GetJsonAsync(second, "api/v1/slos/pay-ratio");
        Assert.Equal(99.5, stored.RootElement.GetProperty("objective").GetDouble());
    }

    private static async Task<JsonDocument> GetJsonAsync(TestService service, string path)
    {
        using var response = await service.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static Task<HttpResponseMessage> PutAsync(TestService service, string name, string json) =>
        service.Http.PutAsync("api/v1/slos/" + name, new StringContent(json, Encoding.UTF8, "application/json"));
}
