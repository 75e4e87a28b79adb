using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace SloMonitor.Tests.Ui;

/// <summary>Budget adjustments on the SLO page in real headless Chromium against the real service, fed through OTLP.</summary>
public sealed class UiAdjustmentTests
{
    [Fact]
    public async Task AnAdjustmentDeclaredOnTheSloPageIsListedShadedOnTheChartsTakenOutOfTheBudgetAndInTheTimelineUntilRemoved()
    {
        await using var scenario = await UiScenario.StartAsync();
        await using var browser = await UiBrowser.LaunchAsync();
        var badBefore = await BadEventsAsync(scenario);

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/slos/checkout-availability");
        Assert.Contains("No adjustment", await page.Locator("#adjustments").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("0", await page.Locator("#burn-rate-chart .chart-body").GetAttributeAsync("data-bands"));

        // The two hours of steady traffic before the last minute's burst: a maintenance that was declared afterwards.
        var now = DateTime.UtcNow;
        static string Local(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        await page.Locator("#adjustment-from").FillAsync(Local(now.AddHours(-3)));
        await page.Locator("#adjustment-to").FillAsync(Local(now.AddMinutes(-10)));
        await page.Locator("#adjustment-reason").FillAsync("database maintenance <script>alert(1)</script>");
        await page.Locator("#adjustment-create").ClickAsync();

        var rows = page.Locator("#adjustment-table tbody tr");
        await rows.First.WaitForAsync();
        Assert.Equal(1, await rows.CountAsync());
        Assert.Contains("database maintenance <script>alert(1)</script>", await rows.First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("test-admin", await rows.First.InnerTextAsync(), StringComparison.Ordinal);
        foreach (var chart in new[] { "burn-rate-chart", "budget-chart", "sli-chart" })
        {
            Assert.Equal("1", await page.Locator($"#{chart} .chart-body").GetAttributeAsync("data-bands"));
        }

        // The engine applies it from its next evaluation: the events of the range no longer count.
        var badAfter = await WaitForBadEventsAsync(scenario, bad => bad < badBefore);
        Assert.InRange(badAfter, 50, badBefore - 100);
        await page.ReloadAsync(new() { WaitUntil = WaitUntilState.Commit });
        await UiBrowser.WaitForRefreshAsync(page);
        Assert.Equal(badAfter.ToString(CultureInfo.InvariantCulture), await page.Locator("[data-bad]").First.GetAttributeAsync("data-bad"));
        var entry = page.Locator("#slo-timeline-list li[data-action='slo.adjustment.created']");
        Assert.Contains("database maintenance", await entry.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("test-admin", await entry.Locator(".actor").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "slo-adjustment");

        await page.Locator("#adjustment-table .delete-adjustment").First.ClickAsync();
        await page.Locator("#adjustment-table").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
        Assert.Contains("removed", await page.Locator("#adjustment-message").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("0", await page.Locator("#burn-rate-chart .chart-body").GetAttributeAsync("data-bands"));
        Assert.Equal(badBefore, await WaitForBadEventsAsync(scenario, bad => bad == badBefore));
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task TheAdjustmentFormSaysWhyTheServiceRefusedAnAdjustment()
    {
        await using var scenario = await UiScenario.StartAsync();
        await using var browser = await UiBrowser.LaunchAsync();
        var page = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/slos/checkout-availability");

        var now = DateTime.UtcNow;
        await page.Locator("#adjustment-from").FillAsync(now.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await page.Locator("#adjustment-to").FillAsync(now.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await page.Locator("#adjustment-reason").FillAsync("the bank was down");
        await page.Locator("#adjustment-selector").FillAsync("peer.service=\"bank\"");
        await page.Locator("#adjustment-create").ClickAsync();

        var message = page.Locator("#adjustment-message.failing");
        await message.WaitForAsync();
        Assert.Contains("selector", await message.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("groupBy attributes (span.name)", await message.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#adjustment-table").CountAsync());
    }

    private static async Task<long> BadEventsAsync(UiScenario scenario)
    {
        using var slo = JsonDocument.Parse(await scenario.Service.Http.GetStringAsync("/api/v1/slos/checkout-availability"));
        var whole = slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d");
        return whole.GetProperty("total").GetInt64() - whole.GetProperty("good").GetInt64();
    }

    private static async Task<long> WaitForBadEventsAsync(UiScenario scenario, Func<long, bool> condition)
    {
        var bad = await BadEventsAsync(scenario);
        for (var attempt = 0; attempt < 60 && !condition(bad); attempt++)
        {
            await Task.Delay(250);
            bad = await BadEventsAsync(scenario);
        }

        Assert.True(condition(bad), $"the SLO's bad events stayed at {bad}");
        return bad;
    }
}
