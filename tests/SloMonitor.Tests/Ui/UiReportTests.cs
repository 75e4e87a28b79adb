using Microsoft.Playwright;

namespace SloMonitor.Tests.Ui;

/// <summary>The report page in real headless Chromium against the real service, fed through OTLP.</summary>
public sealed class UiReportTests
{
    [Fact]
    public async Task TheReportPageShowsEachSloAgainstItsObjectiveFiltersByTeamDownloadsTheCsvAndPrintsOnlyTheData()
    {
        await using var scenario = await UiScenario.StartAsync();
        await using var browser = await UiBrowser.LaunchAsync();

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/reports");

        var rows = page.Locator("#report-table tbody tr");
        Assert.Equal(5, await rows.CountAsync());
        Assert.Equal("false", await page.Locator("#report-table tr[data-slo='checkout-availability']").GetAttributeAsync("data-met"));
        Assert.Contains("missed", await page.Locator("#report-table tr[data-slo='checkout-availability']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("true", await page.Locator("#report-table tr[data-slo='catalog-latency']").GetAttributeAsync("data-met"));
        Assert.Equal("null", await page.Locator("#report-table tr[data-slo='billing-availability']").GetAttributeAsync("data-met"));
        Assert.Equal(["discovery", "payments"], await page.Locator("#team-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.team)"));
        Assert.Equal("3", (await page.Locator("#team-table tr[data-team='payments'] td").Nth(1).InnerTextAsync()).Trim());
        await Screenshots.SaveAsync(page, "report");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#report-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync());
        Assert.StartsWith("slo,service,team,objective,", csv[0], StringComparison.Ordinal);
        Assert.Equal(6, csv.Length);
        Assert.Contains(csv, line => line.StartsWith("checkout-availability,checkout,payments,99.9,events,", StringComparison.Ordinal));

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        Assert.False(await page.Locator(".topbar nav").IsVisibleAsync());
        Assert.False(await page.Locator("#report-form").IsVisibleAsync());
        Assert.True(await page.Locator("#report-table").IsVisibleAsync());
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });

        await page.Locator("#report-team").FillAsync("discovery");
        await page.Locator("#report-form button[type='submit']").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#report-table tbody tr').length === 2");
        Assert.Equal(["catalog-latency", "search-availability"], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.slo)"));
        Assert.Contains("team=discovery", page.Url, StringComparison.Ordinal);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }
}
