using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>Tokens through <c>/api/v1/tokens</c>: created and shown once, used, last-used recorded, expired, revoked.</summary>
public sealed class TokenLifecycleTests
{
    [Fact]
    public async Task ATokenIsShownOnceListedWithoutItsSecretRecordsItsLastUseAndStopsAtOnceWhenRevoked()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Auth:TokenRefreshInterval"] = "00:00:00.500" } });

        using var created = await service.Http.PostAsJsonAsync("/api/v1/tokens", new { name = "grafana", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var createdJson = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var secret = createdJson.RootElement.GetProperty("token").GetString()!;
        Assert.Matches("^slom_[A-Za-z0-9_-]{43}$", secret);
        Assert.Equal(["read"], createdJson.RootElement.GetProperty("info").GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));

        using var grafana = service.Anonymous();
        grafana.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await grafana.GetAsync("/api/v1/slos")).StatusCode);
        using (var me = JsonDocument.Parse(await grafana.GetStringAsync("/api/v1/whoami")))
        {
            Assert.Equal("grafana", me.RootElement.GetProperty("name").GetString());
            Assert.Equal("default", me.RootElement.GetProperty("tenant").GetString());
        }

        // The last use reaches the database within the refresh interval, in one write for all tokens.
        var listed = await Poll.UntilAsync(
            () => service.Http.GetStringAsync("/api/v1/tokens"),
            text => Token(text, "grafana") is { } t && t.GetProperty("lastUsedAt").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(20), "grafana's last use recorded");
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.StartsWith("slom_", Token(listed, "grafana")!.Value.GetProperty("hint").GetString(), StringComparison.Ordinal);

        using var conflict = await service.Http.PostAsJsonAsync("/api/v1/tokens", new { name = "grafana", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await service.Http.DeleteAsync("/api/v1/tokens/grafana")).StatusCode);
        using var refused = await grafana.GetAsync("/api/v1/slos");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("unknown or revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.DeleteAsync("/api/v1/tokens/grafana")).StatusCode);
        Assert.DoesNotContain(secret, await service.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedSayingItExpired()
    {
        await using var service = await TestService.StartAsync();
        using var created = await service.Http.PostAsJsonAsync("/api/v1/tokens", new { name = "short", scopes = new[] { "read" }, expiresIn = "2s" });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        using var client = service.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/slos")).StatusCode);

        var body = await Poll.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync("/api/v1/slos");
                return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            },
            text => text.StartsWith("401", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the token expiring");
        Assert.Contains("the token has expired", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"scopes":["read"]}""", "name")]
    [InlineData("""{"name":"x"}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["root"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["read"],"expiresIn":"soon"}""", "expiresIn")]
    [InlineData("""{"name":"42","scopes":["read"]}""", "name")]
    public async Task AnInvalidTokenRequestIsRejectedNamingTheField(string body, string field)
    {
        await using var service = await TestService.StartAsync();
        using var response = await service.Http.PostAsync("/api/v1/tokens", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, json.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task NoTokenAMalformedHeaderAndAMissingScopeEachSayWhatIsMissing()
    {
        await using var service = await TestService.StartAsync();
        using var anonymous = service.Anonymous();
        using var none = await anonymous.GetAsync("/api/v1/incidents");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer realm=\"SloMonitor\"", none.Headers.WwwAuthenticate.ToString());
        Assert.Contains("a token is required", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var basic = new HttpRequestMessage(HttpMethod.Get, "/api/v1/incidents");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWxpY2U6c2VjcmV0");
        using var basicAnswer = await anonymous.SendAsync(basic);
        Assert.Equal(HttpStatusCode.Unauthorized, basicAnswer.StatusCode);
        var basicBody = await basicAnswer.Content.ReadAsStringAsync();
        Assert.Contains("must be 'Bearer <token>'", basicBody, StringComparison.Ordinal);
        Assert.DoesNotContain("YWxpY2U6c2VjcmV0", basicBody, StringComparison.Ordinal);

        using var ingest = await service.ClientWithAsync("exporter", "ingest");
        using var forbidden = await ingest.PostAsJsonAsync("/api/v1/silences", new { matchers = new[] { "team=\"a\"" }, endsAt = DateTimeOffset.UtcNow.AddHours(1) });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("insufficient_scope", forbidden.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await forbidden.Content.ReadAsStringAsync());
        Assert.Equal("the token 'exporter' lacks the scope 'write' this needs", json.RootElement.GetProperty("error").GetString());
        Assert.Equal("write", json.RootElement.GetProperty("scope").GetString());
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/silences")).EnumerateArray());
    }

    private static JsonElement? Token(string list, string name)
    {
        using var document = JsonDocument.Parse(list);
        foreach (var token in document.RootElement.EnumerateArray())
        {
            if (token.GetProperty("name").GetString() == name)
            {
                return token.Clone();
            }
        }

        return null;
    }
}
