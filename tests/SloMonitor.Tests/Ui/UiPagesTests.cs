using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>
/// The UI in real headless Chromium against the real service (PostgreSQL, OTLP ingest, SLO evaluation, alerting).
/// Each test saves what it saw to docs/screenshots.
/// </summary>
public sealed class UiPagesTests
{
    [Fact]
    public async Task TheOverviewListsTheSeededSlosWithTheirStatesLeastBudgetFirstAndRefreshesOnItsOwn()
    {
        await using var scenario = await UiScenario.StartAsync();
        await using var browser = await UiBrowser.LaunchAsync();

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, "ui");

        var rows = page.Locator("#slo-table tbody tr");
        Assert.Equal(5, await rows.CountAsync());
        foreach (var (slo, state) in UiScenario.ExpectedStates)
        {
            var row = page.Locator($"#slo-table tr[data-slo='{slo}']");
            Assert.Equal(state, await row.GetAttributeAsync("data-state"));
            Assert.Equal(StateText(state), (await row.Locator(".badge").First.TextContentAsync())?.Trim()[1..].Trim());
        }

        var order = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.slo)");
        Assert.Equal(["checkout-availability", "search-availability", "catalog-latency", "checkout-latency", "billing-availability"], order);
        Assert.Equal("true", await page.Locator("tr[data-slo='checkout-availability'] .pair[data-pair='1h/5m']").GetAttributeAsync("data-firing"));
        Assert.Equal("false", await page.Locator("tr[data-slo='catalog-latency'] .pair[data-pair='1h/5m']").GetAttributeAsync("data-firing"));
        Assert.Equal("exhausted", await ClassLevel(page.Locator("tr[data-slo='checkout-availability'] .budget")));
        await Screenshots.SaveAsync(page, "overview");

        await page.Locator("select[name='team']").SelectOptionAsync("discovery");
        Assert.Equal(["search-availability", "catalog-latency"], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.slo)"));
        Assert.Contains("team=discovery", page.Url, StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator(".compliance .card").CountAsync());

        // Left open, the page refreshes by itself (every 10 s) and keeps its filter.
        var refreshedAt = await page.Locator("main").GetAttributeAsync("data-refreshed-at");
        await page.WaitForFunctionAsync("before => document.querySelector('main').dataset.refreshedAt !== before", refreshedAt, new() { Timeout = 20_000 });
        Assert.Equal(2, await rows.CountAsync());
        Assert.Contains("Updated", await page.Locator("#refresh-status").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task AnSloPageDrawsItsBurnRateBudgetSliAndLatencyChartsWithDataPoints()
    {
        await using var scenario = await UiScenario.StartAsync();
        await using var browser = await UiBrowser.LaunchAsync();

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/slos/checkout-availability");

        Assert.Equal("page", await page.Locator("h1 .badge").GetAttributeAsync("data-state"));
        foreach (var chart in new[] { "burn-rate-chart", "sli-chart", "budget-chart" })
        {
            Assert.True(await DrawnPointsAsync(page, chart) > 10, $"{chart} drew no line of data points");
        }

        Assert.True(await page.Locator("#alerts tr[data-alert='page']").CountAsync() >= 1, "the active page alert is not listed");
        Assert.Equal("https://runbooks.example.com/checkout-availability", await page.Locator("#runbook-link").GetAttributeAsync("href"));
        Assert.Equal("170", await page.Locator("[data-bad]").First.GetAttributeAsync("data-bad"));
        Assert.Equal("170", await page.Locator("[data-good]").First.GetAttributeAsync("data-good"));
        Assert.Equal("page", await page.Locator("#group-table tr[data-group='span.name=POST /checkout/items']").GetAttributeAsync("data-state"));
        Assert.Equal("ok", await page.Locator("#group-table tr[data-group='span.name=GET /checkout']").GetAttributeAsync("data-state"));
        await Screenshots.SaveAsync(page, "slo");

        var search = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/slos/search-availability");
        Assert.Equal(["30d (alerting)", "7d"], (await search.Locator("#budget-table tbody th").AllInnerTextsAsync()).Select(t => t.Trim()));
        Assert.Contains("exhausted", await search.Locator("#budget-table tr[data-window='7d']").InnerTextAsync(), StringComparison.Ordinal);

        var latency = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/slos/catalog-latency");
        Assert.True(await DrawnPointsAsync(latency, "latency-chart") > 0, "the latency chart drew no data points");
        var p95 = await latency.Locator("#window-table tr[data-window='5m'] td").Nth(7).InnerTextAsync();
        Assert.EndsWith("ms", p95.Trim(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(latency, "slo-latency");
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task AnOnCallEngineerSignsInWithTheirTokenAndAcknowledgesCommentsAndResolvesAnIncidentAsThemselves()
    {
        await using var scenario = await UiScenario.StartAsync();
        var id = await scenario.WaitForIncidentAsync("checkout-availability", "page");
        var alice = await TestTokens.CreateAsync(scenario.Service.Services.GetRequiredService<SloMonitor.Auth.TokenStore>(), "alice", "read", "respond");
        await using var browser = await UiBrowser.LaunchAsync();

        var oncall = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/oncall", signedIn: false);
        await oncall.Locator("#token").FillAsync("slom_" + new string('A', 43));
        await oncall.Locator("#sign-in-button").ClickAsync();
        await oncall.Locator("#sign-in [role='alert'], .sign-in [role='alert']").WaitForAsync();
        Assert.Contains("not valid", await oncall.Locator(".sign-in [role='alert']").InnerTextAsync(), StringComparison.Ordinal);
        browser.Errors.Clear(); // the refused sign-in logs its 401 to the console, as browsers do
        await oncall.Locator("#token").FillAsync(alice);
        await oncall.Locator("#sign-in-button").ClickAsync();
        await oncall.Locator("#principal", new() { HasText = "alice" }).WaitForAsync();
        await UiBrowser.WaitForRefreshAsync(oncall);
        Assert.Equal(0, await oncall.Locator("#actor").CountAsync());
        var row = oncall.Locator($"#incident-table tr[data-incident='{id}']");
        Assert.Contains("nobody yet", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("checkout-availability", await oncall.Locator("#burning-table tbody tr").First.GetAttributeAsync("data-slo"));
        var checkoutLatency = oncall.Locator("#latency-table tr[data-slo='checkout-latency'] td");
        Assert.EndsWith("ms", (await checkoutLatency.Nth(2).InnerTextAsync()).Trim(), StringComparison.Ordinal);
        Assert.Equal(0, await oncall.Locator("#latency-table tr[data-slo='catalog-latency']").CountAsync());
        await Screenshots.SaveAsync(oncall, "oncall");

        await row.Locator("a[href^='/ui/incidents/']").ClickAsync();
        await UiBrowser.WaitForAddressAsync(oncall, $"/ui/incidents/{id}");
        await oncall.Locator("#ack").ClickAsync();

        await oncall.Locator("#timeline li[data-kind='acked']", new() { HasText = "alice" }).WaitForAsync();
        Assert.Contains("alice", await oncall.Locator("#acknowledged-by").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await oncall.Locator("#ack").IsDisabledAsync());

        await oncall.Locator("#comment").FillAsync("Rolled back release 42; errors dropping.");
        await oncall.Locator("#add-comment").ClickAsync();
        await oncall.Locator("#timeline li[data-kind='comment']", new() { HasText = "Rolled back release 42" }).WaitForAsync();
        await Screenshots.SaveAsync(oncall, "incident");

        var path = $"/api/v1/incidents/{id.ToString(CultureInfo.InvariantCulture)}";
        using (var incident = JsonDocument.Parse(await scenario.Service.Http.GetStringAsync(path)))
        {
            Assert.Equal("acknowledged", incident.RootElement.GetProperty("state").GetString());
            Assert.Equal("alice", incident.RootElement.GetProperty("acknowledgedBy").GetString());
        }

        await oncall.Locator("#resolve").ClickAsync();
        await oncall.Locator("#timeline li[data-kind='resolved']", new() { HasText = "alice" }).WaitForAsync();
        Assert.True(await oncall.Locator("#resolve").IsDisabledAsync());
        using (var incident = JsonDocument.Parse(await scenario.Service.Http.GetStringAsync(path)))
        {
            Assert.Equal("resolved", incident.RootElement.GetProperty("state").GetString());
        }

        // A comment that is markup stays text: nothing in it runs or becomes an element.
        const string Payload = "<img src=x onerror=\"window.injected=1\"><script>window.injected=2</script>";
        await oncall.Locator("#comment").FillAsync(Payload);
        await oncall.Locator("#add-comment").ClickAsync();
        await oncall.Locator("#timeline li[data-kind='comment']", new() { HasText = "<script>window.injected=2</script>" }).WaitForAsync();
        Assert.Equal(0, await oncall.Locator("#timeline img, #timeline script").CountAsync());
        Assert.Equal("undefined", await oncall.EvaluateAsync<string>("() => typeof window.injected"));

        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task LabelsAndAnnotationsThatAreMarkupStayTextOnTheIncidentPage()
    {
        await using var scenario = await UiScenario.StartAsync();
        const string Payload = "<img src=x onerror=\"window.injected=1\">";
        var alert = new[]
        {
            new
            {
                labels = new Dictionary<string, string> { ["alertname"] = "Injected" + Payload, ["service"] = "web", ["severity"] = "page", ["note"] = "<script>window.injected=2</script>" },
                annotations = new Dictionary<string, string> { ["summary"] = "<b onmouseover=\"window.injected=3\">bold?</b>" },
            },
        };
        using (var posted = await scenario.Service.Http.PostAsync("/api/v2/alerts", System.Net.Http.Json.JsonContent.Create(alert)))
        {
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        }

        var id = await Poll.UntilAsync(
            async () =>
            {
                using var list = JsonDocument.Parse(await scenario.Service.Http.GetStringAsync("/api/v1/incidents?service=web"));
                return list.RootElement.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).FirstOrDefault();
            },
            found => found > 0, TimeSpan.FromSeconds(30), "the injected alert's incident");
        await using var browser = await UiBrowser.LaunchAsync();

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, $"ui/incidents/{id.ToString(CultureInfo.InvariantCulture)}");
        var alerts = page.Locator("#alert-table");
        await alerts.WaitForAsync();
        var text = await alerts.InnerTextAsync();
        Assert.Contains("Injected" + Payload, text, StringComparison.Ordinal);
        Assert.Contains("<script>window.injected=2</script>", text, StringComparison.Ordinal);
        Assert.Contains("<b onmouseover", text, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("main img, main script, main b").CountAsync());
        await page.Locator("#alert-table strong").First.HoverAsync();
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.injected"));
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    private static string StateText(string state) => state switch
    {
        "ok" => "OK",
        "ticket" => "Ticket",
        "page" => "Page",
        _ => "No data",
    };

    private static async Task<string?> ClassLevel(ILocator budget) =>
        (await budget.GetAttributeAsync("class"))?.Split(' ').FirstOrDefault(c => c.StartsWith("budget-", StringComparison.Ordinal))?["budget-".Length..];

    private static async Task<int> DrawnPointsAsync(IPage page, string chart)
    {
        var body = page.Locator($"#{chart} .chart-body");
        await body.Locator("canvas").WaitForAsync();
        return int.Parse(await body.GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);
    }
}
