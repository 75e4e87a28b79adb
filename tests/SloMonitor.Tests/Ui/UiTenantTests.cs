using System.Net;
using System.Text;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>The UI in Chromium, signed in with another tenant's token, shows that tenant's SLOs and none of the default tenant's.</summary>
public sealed class UiTenantTests
{
    [Fact]
    public async Task ASignedInTenantSeesItsOwnSlosOnlyAndAnotherTenantsSloPageIsNotFound()
    {
        await using var scenario = await UiScenario.StartAsync();
        var (globex, token) = await scenario.Service.TenantClientAsync("globex", "globex-sre", "read", "write", "respond");
        using var put = await globex.PutAsync("/api/v1/slos/globex-availability", new StringContent(
            """{"service": "globex-shop", "objective": 99.9, "sli": {"kind": "availability"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await using var browser = await UiBrowser.LaunchAsync();

        var overview = await browser.OpenAsync(scenario.Service.BaseAddress, "ui", token: token);
        var slos = await overview.Locator("#slo-table tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.slo)");
        Assert.Equal(["globex-availability"], slos);
        Assert.DoesNotContain("checkout-availability", await overview.ContentAsync(), StringComparison.Ordinal);

        // The default tenant's SLO page does not exist for this tenant: the page says so and shows nothing of it.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => browser.OpenAsync(scenario.Service.BaseAddress, "ui/slos/checkout-availability", token: token));
        Assert.Contains("no SLO named 'checkout-availability'", refused.Message, StringComparison.Ordinal);
    }
}
