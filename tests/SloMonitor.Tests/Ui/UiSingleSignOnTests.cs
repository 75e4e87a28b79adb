using Microsoft.Playwright;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>
/// Single sign-on from the UI in real headless Chromium: the authorization code flow with PKCE against an OIDC issuer
/// of the test's own on 127.0.0.1, whose access token the service then takes as the signed-in principal.
/// </summary>
public sealed class UiSingleSignOnTests
{
    [Fact]
    public async Task AnEngineerSignsInThroughTheIssuerAndAcknowledgesAnIncidentAsTheNameTheIssuerGave()
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        issuer.LoginClaims["preferred_username"] = "alice@example.com";
        issuer.LoginClaims["scope"] = "read respond";
        await using var scenario = await UiScenario.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Jwt:Issuer"] = issuer.Issuer,
            ["Auth:Jwt:Audience"] = "slomonitor",
            ["Auth:Jwt:RequireHttpsMetadata"] = "false",
            ["Auth:Jwt:UiClientId"] = LoopbackOidcIssuer.UiClientId,
        });
        var id = await scenario.WaitForIncidentAsync("checkout-availability", "page");
        await using var browser = await UiBrowser.LaunchAsync();

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, $"ui/incidents/{id}", signedIn: false);
        await page.Locator("#sso-sign-in").ClickAsync();

        await page.Locator("#principal", new() { HasText = "alice@example.com" }).WaitForAsync();
        await UiBrowser.WaitForAddressAsync(page, $"/ui/incidents/{id}");
        Assert.Equal(1, issuer.CodesRedeemed);
        await page.Locator("#ack").ClickAsync();
        await page.Locator("#timeline li[data-kind='acked']", new() { HasText = "alice@example.com" }).WaitForAsync();
        using (var incident = JsonDocument.Parse(await scenario.Service.Http.GetStringAsync($"/api/v1/incidents/{id}")))
        {
            Assert.Equal("alice@example.com", incident.RootElement.GetProperty("acknowledgedBy").GetString());
        }

        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task ARefusedSignInAtTheIssuerIsShownOnTheSignInPage()
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        issuer.RefuseLogins = true;
        await using var scenario = await UiScenario.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Jwt:Issuer"] = issuer.Issuer,
            ["Auth:Jwt:Audience"] = "slomonitor",
            ["Auth:Jwt:RequireHttpsMetadata"] = "false",
            ["Auth:Jwt:UiClientId"] = LoopbackOidcIssuer.UiClientId,
        });
        await using var browser = await UiBrowser.LaunchAsync();

        var page = await browser.OpenAsync(scenario.Service.BaseAddress, "ui/oncall", signedIn: false);
        await page.Locator("#sso-sign-in").ClickAsync();

        var problem = page.Locator("#sign-in-problem");
        await problem.WaitForAsync();
        Assert.Contains("access_denied", await problem.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#principal").CountAsync());
        Assert.Equal(0, issuer.CodesRedeemed);
    }
}
