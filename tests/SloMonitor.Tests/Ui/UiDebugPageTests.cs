using Microsoft.Playwright;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Ui;

/// <summary>
/// The debug page in real headless Chromium against the real service, fed by the OpenTelemetry .NET SDK's exporter:
/// what is burning (bars), the failing requests with trace links, latency against the threshold and deploy markers.
/// </summary>
public sealed class UiDebugPageTests
{
    private const string Slos = """
        slos:
          - name: shop-availability
            service: shop
            objective: 99.9
            traceUrlTemplate: https://tempo.example/trace/{traceId}
            sli: {kind: availability}
          - name: shop-latency
            service: shop
            objective: 99
            traceUrlTemplate: https://tempo.example/trace/{traceId}
            sli: {kind: latency, threshold: 300ms}
        """;

    [Fact]
    public async Task TheDebugPageShowsTheBurningRouteFirstItsFailingRequestsAsTraceLinksAndTheNewVersionAsADeploy()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            Settings = { ["Slos:Attribution:GoodSampleEvery"] = "1", ["Slos:Attribution:GoodSamplesPerMinute"] = "0", ["Slos:Attribution:SketchWidth"] = "4096" },
        });
        // Each export's one failing non-checkout request ends a second before the rest: keep both exports clear of
        // the first seconds of a 10-minute exemplar slice, or that request alone opens a slice of its own.
        var now = DateTimeOffset.UtcNow;
        while (now.ToUnixTimeSeconds() % 600 < 3 || now.AddMinutes(-3).ToUnixTimeSeconds() % 600 < 3)
        {
            await Task.Delay(500);
            now = DateTimeOffset.UtcNow;
        }

        var failed = AttributionApiTests.ExportShopTraffic(service, "4.0.0", end: now.AddMinutes(-3));
        foreach (var (trace, span) in AttributionApiTests.ExportShopTraffic(service, "4.1.0", end: now))
        {
            failed[trace] = span;
        }

        await service.EvaluateRoundAsync();
        await using var browser = await UiBrowser.LaunchAsync();

        var slo = await browser.OpenAsync(service.BaseAddress, "ui/slos/shop-availability");
        Assert.Equal("1", await slo.Locator("#burn-rate-chart .chart-body").GetAttributeAsync("data-markers"));
        await slo.Locator("#debug-link").ClickAsync();
        await UiBrowser.WaitForAddressAsync(slo, "/ui/slos/shop-availability/debug");
        var page = slo;

        var first = page.Locator("#top-attribution tbody tr").First;
        Assert.Equal(("http.route", "/checkout"), (await first.GetAttributeAsync("data-key"), await first.GetAttributeAsync("data-value")));
        Assert.Contains("90% of bad", await first.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("width: 90%", await first.Locator(".share-bad .share-fill").GetAttributeAsync("style"), StringComparison.Ordinal);
        Assert.True(await page.Locator(".attribution-key[data-key='service.version']").CountAsync() == 1);

        var links = page.Locator("#recent-exemplars a.trace-link");
        // Three per slice: one 10-minute slice or two, as the minutes fall.
        Assert.Contains(await links.CountAsync(), new[] { 3, 6 });
        foreach (var link in await links.AllAsync())
        {
            var href = await link.GetAttributeAsync("href");
            Assert.StartsWith("https://tempo.example/trace/", href, StringComparison.Ordinal);
            Assert.Contains(href!["https://tempo.example/trace/".Length..], failed.Keys);
        }

        Assert.Equal("4.1.0", await page.Locator("#deploy-table tbody tr").First.GetAttributeAsync("data-version"));
        Assert.Equal("1", await page.Locator("#debug-burn-chart .chart-body").GetAttributeAsync("data-markers"));
        Assert.Equal("1", await page.Locator("#debug-sli-chart .chart-body").GetAttributeAsync("data-markers"));
        await Screenshots.SaveAsync(page, "debug");

        // A latency SLO: the slowest requests, and its latency against the threshold.
        var latency = await browser.OpenAsync(service.BaseAddress, "ui/slos/shop-latency/debug");
        Assert.Contains("300 ms", await latency.Locator("#debug-latency-chart figcaption").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("900 ms", await latency.Locator("#slowest-exemplars tbody tr").First.InnerTextAsync(), StringComparison.Ordinal);

        // Its distribution: the 20 checkout requests of 900 ms in the bins above the 300 ms threshold, the 380 others below.
        var bins = latency.Locator("#latency-histogram .bin");
        var counts = await bins.EvaluateAllAsync<long[]>("bins => bins.map(b => Number(b.dataset.count))");
        var slow = await latency.Locator("#latency-histogram .bin.slow").EvaluateAllAsync<long[]>("bins => bins.map(b => Number(b.dataset.count))");
        Assert.Equal(400, counts.Sum());
        Assert.Equal(20, slow.Sum());
        Assert.Equal(1, await latency.Locator("#latency-histogram #threshold-line").CountAsync());
        Assert.Contains("above the threshold 300 ms", await latency.Locator("#latency-distribution").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }
}
