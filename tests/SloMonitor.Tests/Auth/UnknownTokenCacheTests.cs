using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SloMonitor.Auth;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// Unknown tokens are remembered (<c>Auth:UnknownTokenCacheSize</c>, <c>Auth:UnknownTokenCacheTime</c>): a flood of the
/// same unknown token costs one PostgreSQL lookup, a token created afterwards works at once, and the cache is bounded.
/// </summary>
public sealed class UnknownTokenCacheTests
{
    [Fact]
    public async Task AFloodOfTheSameUnknownTokenCostsOneLookupAndATokenCreatedAfterwardsWorksAtOnce()
    {
        await using var service = await TestService.StartAsync();
        var validator = service.Services.GetRequiredService<TokenValidator>();
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/api/v1/whoami")).StatusCode);
        var before = validator.DatabaseLookups;
        var counted = Counter(await service.Http.GetStringAsync("/metrics"), "slomon_unknown_tokens_total");
        using var stranger = Client(service, Unknown());

        // Together (sharing the lookup in flight), then one after the other (answered from the cache).
        var together = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => stranger.GetAsync("/api/v1/slos")));
        Assert.All(together, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        for (var i = 0; i < 30; i++)
        {
            using var response = await stranger.GetAsync("/api/v1/slos");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("unknown or revoked", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before + 1, validator.DatabaseLookups);
        Assert.True(Counter(await service.Http.GetStringAsync("/metrics"), "slomon_unknown_tokens_total") >= counted + 50);

        using var created = await service.Http.PostAsJsonAsync("/api/v1/tokens", new { name = "newcomer", scopes = new[] { "read" } });
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var newcomer = Client(service, secret);
        Assert.Equal(HttpStatusCode.OK, (await newcomer.GetAsync("/api/v1/slos")).StatusCode);
        Assert.Equal(before + 2, validator.DatabaseLookups);

        // Creating a token forgot what was known unknown: the stranger is looked up once more, then remembered again.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/slos")).StatusCode);
        }

        Assert.Equal(before + 3, validator.DatabaseLookups);
    }

    [Fact]
    public async Task AnUnknownTokenIsLookedUpAgainOnceItsCacheTimeHasPassedAndEveryTimeWhenTheCacheIsOff()
    {
        await using (var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Auth:UnknownTokenCacheTime"] = "00:00:02" } }))
        {
            var validator = service.Services.GetRequiredService<TokenValidator>();
            using var stranger = Client(service, Unknown());
            var before = validator.DatabaseLookups;
            await stranger.GetAsync("/api/v1/slos");
            await stranger.GetAsync("/api/v1/slos");
            Assert.Equal(before + 1, validator.DatabaseLookups);
            await Poll.UntilAsync(
                async () => { await stranger.GetAsync("/api/v1/slos"); return validator.DatabaseLookups; },
                n => n == before + 2, TimeSpan.FromSeconds(20), "the unknown token looked up again after its cache time");
        }

        await using (var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Auth:UnknownTokenCacheSize"] = "0" } }))
        {
            var validator = service.Services.GetRequiredService<TokenValidator>();
            using var stranger = Client(service, Unknown());
            var before = validator.DatabaseLookups;
            await stranger.GetAsync("/api/v1/slos");
            await stranger.GetAsync("/api/v1/slos");
            Assert.Equal(before + 2, validator.DatabaseLookups);
        }
    }

    [Fact]
    public void TheCacheHoldsAtMostItsSizeAndMakesRoomOnceEntriesExpire()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new UnknownTokenCache(2, TimeSpan.FromMinutes(1), time);
        var (a, b, c) = (ApiToken.Hash(Unknown()), ApiToken.Hash(Unknown()), ApiToken.Hash(Unknown()));
        cache.Add(a, 0);
        cache.Add(b, 0);
        cache.Add(c, 0);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains(a, 0));
        Assert.False(cache.Contains(c, 0));
        Assert.False(cache.Contains(a, 1));

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(cache.Contains(a, 0));
        cache.Add(c, 0);
        Assert.True(cache.Contains(c, 0));
        Assert.Equal(1, cache.Count);
    }

    private static string Unknown() => ApiToken.Create();

    private static HttpClient Client(TestService service, string token)
    {
        var client = service.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static double Counter(string metrics, string name) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
}
