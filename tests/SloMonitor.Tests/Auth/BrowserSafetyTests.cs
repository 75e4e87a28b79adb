using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>What keeps a web page open in an engineer's browser from using the API, and links from running script.</summary>
public sealed class BrowserSafetyTests
{
    private const string Silence = """{"matchers":["team=\"payments\""],"endsAt":"2099-01-01T00:00:00Z","comment":"cross-site"}""";

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task AStateChangingBodyThatABrowserCanSendCrossSiteIsRefusedWith415AndChangesNothing(string contentType)
    {
        await using var service = await TestService.StartAsync();
        using var content = new StringContent(Silence, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        // Even with a valid token (which a cross-site page does not have, the UI keeps it in sessionStorage).
        using var response = await service.Http.PostAsync("/api/v1/silences", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Content-Type", json.RootElement.GetProperty("field").GetString());
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/silences")).EnumerateArray());
    }

    [Fact]
    public async Task ACrossSiteTextPlainPostWithoutATokenIsRefusedBeforeItsBodyIsRead()
    {
        await using var service = await TestService.StartAsync();
        using var anonymous = service.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/incidents/1/resolve") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        request.Headers.Add("Origin", "https://evil.example.com");

        using var response = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("runbookUrl", "javascript:alert(document.cookie)")]
    [InlineData("dashboardUrl", "data:text/html,<script>alert(1)</script>")]
    [InlineData("runbookUrl", "runbooks/checkout")]
    public async Task AnSloLinkThatIsNotHttpIsAValidationErrorNamingTheField(string field, string url)
    {
        await using var service = await TestService.StartAsync();
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["service"] = "checkout",
            ["objective"] = 99.9,
            ["sli"] = new { kind = "availability" },
            [field] = url,
        });

        using var response = await service.Http.PutAsync("/api/v1/slos/checkout", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray());
        Assert.EndsWith(field, error.GetProperty("field").GetString(), StringComparison.Ordinal);
        Assert.Contains("http:// or https://", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExternalAlertWithANonHttpRunbookIsRefusedNamingTheAnnotation()
    {
        await using var service = await TestService.StartAsync();
        var alerts = new[] { new { labels = new { alertname = "Down" }, annotations = new { runbook_url = "javascript:alert(1)" } } };

        using var response = await service.Http.PostAsJsonAsync("/api/v2/alerts", alerts);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("[0].annotations.runbook_url", json.RootElement.GetProperty("field").GetString());
    }
}
