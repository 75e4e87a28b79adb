using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using SloMonitor.Api;

namespace SloMonitor.Tests.Ui;

/// <summary>The files the build bundles into wwwroot/ui, as the service serves them (no browser).</summary>
public sealed class UiEndpointsTests
{
    [Fact]
    public async Task TheRootRedirectsToTheUiWhichIsTheAppsPage()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        var root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/ui", root.Headers.Location?.ToString());

        var ui = await client.GetAsync("/ui");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<main id=\"page\"", await ui.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", ui.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/oncall")]
    [InlineData("/ui/reports")]
    [InlineData("/ui/slos/checkout-availability")]
    [InlineData("/ui/slos/checkout-availability/debug")]
    [InlineData("/ui/incidents/42")]
    [InlineData("/ui/")]
    public async Task DeepLinksAnswerWithTheAppSoThatAReloadShowsTheSamePage(string path)
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/ui/app.js\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBundleIsServedByTheServiceItselfAndRevalidatedByItsEntityTag()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        var index = await client.GetStringAsync("/ui");
        Assert.DoesNotContain("src=\"http", index, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", index, StringComparison.Ordinal);

        var script = await client.GetAsync("/ui/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var body = await script.Content.ReadAsStringAsync();
        Assert.Contains("uplot", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("import(\"http", body, StringComparison.Ordinal);
        var tag = script.Headers.ETag ?? throw new InvalidOperationException("app.js has no ETag");

        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(tag.Tag));
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);

        var styles = await client.GetAsync("/ui/app.css");
        Assert.Equal("text/css", styles.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".uplot", await styles.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingFileIsNotFoundAndAnUnknownPageShowsTheAppsNotFoundPageUnder404()
    {
        await using var app = await StartAsync();
        using var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ui/missing.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ui/%2e%2e/appsettings.json")).StatusCode);

        var page = await client.GetAsync("/ui/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("<main id=\"page\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.MapUi();
        await app.StartAsync();
        return app;
    }
}
