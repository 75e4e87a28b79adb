using System.Net.Http.Headers;
using SloMonitor.Auth;
using SloMonitor.Hosting;
using SloMonitor.Storage;

namespace SloMonitor.Testing;

/// <summary>API tokens for services under test, made as <c>SloMonitor tokens create</c> makes them.</summary>
internal static class TestTokens
{
    public static void Register(Uri endpoint, string token) => BearerTokens.Register(endpoint, token);

    public static string? For(Uri endpoint) => BearerTokens.For(endpoint);

    /// <summary>Sets <c>Authorization: Bearer</c> on <paramref name="client"/>, with the token registered for <paramref name="endpoint"/>.</summary>
    public static HttpClient Authorized(this HttpClient client, Uri endpoint)
    {
        if (For(endpoint) is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Creates a token in the database of <paramref name="connectionString"/> (migrating it first) and returns its secret.</summary>
    public static async Task<string> CreateAsync(string connectionString, string name, params string[] scopes)
    {
        await using var dataSource = DataSourceFactory.Create(connectionString, "slomonitor-tests");
        await DatabaseSchema.ApplyAsync(dataSource);
        return await CreateAsync(new TokenStore(dataSource), name, scopes);
    }

    public static Task<string> CreateAsync(TokenStore store, string name, params string[] scopes) =>
        CreateInTenantAsync(store, TokenStore.DefaultTenant, name, scopes);

    /// <summary>Creates a token of <paramref name="tenant"/> and returns its secret.</summary>
    public static async Task<string> CreateInTenantAsync(TokenStore store, string tenant, string name, params string[] scopes)
    {
        var created = await store.CreateAsync(tenant, name, scopes, null, "tests", DateTimeOffset.UtcNow);
        return created!.Value.Secret;
    }
}
