using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// <c>SloMonitor tokens</c> run as the real executable on the service's database configuration, against the real
/// service as a child process whose whole output is checked for secrets.
/// </summary>
public sealed class TokensCliTests
{
    [Fact]
    public async Task TheCliCreatesListsAndRevokesTokensThatTheServiceHonoursAndNoSecretReachesTheLog()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var cli = new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = database.ConnectionString };
        var directory = Path.GetTempPath();

        var created = await CliProcess.RunAsync(directory, cli, "tokens", "create", "--tenant", "default", "--scopes", "read,respond", "--name", "oncall-bot", "--expires", "30d");
        Assert.True(created.Code == 0, created.ToString());
        var secret = created.Stdout.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches("^slom_[A-Za-z0-9_-]{43}$", secret);
        Assert.Contains("'oncall-bot' in tenant 'default' with scopes read,respond, expires ", created.Stdout, StringComparison.Ordinal);

        var duplicate = await CliProcess.RunAsync(directory, cli, "tokens", "create", "--scopes", "read", "--name", "oncall-bot");
        Assert.Equal(1, duplicate.Code);
        Assert.Contains("a token named 'oncall-bot' exists already", duplicate.Stderr, StringComparison.Ordinal);
        var badScope = await CliProcess.RunAsync(directory, cli, "tokens", "create", "--scopes", "read,root", "--name", "x");
        Assert.Equal(2, badScope.Code);
        Assert.Contains("--scopes: 'root' is not a scope", badScope.Stderr, StringComparison.Ordinal);
        var noDatabase = await CliProcess.RunAsync(directory, new Dictionary<string, string> { ["ConnectionStrings__Postgres"] = "" }, "tokens", "list");
        Assert.Equal(2, noDatabase.Code);
        Assert.Contains("ConnectionStrings__Postgres", noDatabase.Stderr, StringComparison.Ordinal);

        var listed = await CliProcess.RunAsync(directory, cli, "tokens", "list");
        Assert.True(listed.Code == 0, listed.ToString());
        Assert.Contains("oncall-bot\tread,respond\tslom_", listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Stdout, StringComparison.Ordinal);

        var httpPort = TestService.FreePort();
        var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort);
        environment["Auth__TokenRefreshInterval"] = "00:00:01";
        environment["Serilog__MinimumLevel__Default"] = "Verbose";
        using var service = ServiceProcess.Start(environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60)), service.Output);

        var unknown = "slom_" + new string('A', 43);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "api/v1/incidents", unknown)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "api/v1/incidents", "not-even-a-token")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "api/v1/incidents", secret)).StatusCode);
        using (var me = JsonDocument.Parse(await (await GetAsync(http, "api/v1/whoami", secret)).Content.ReadAsStringAsync()))
        {
            Assert.Equal("oncall-bot", me.RootElement.GetProperty("name").GetString());
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, "api/v1/tokens", secret)).StatusCode);

        // Revoked on the host, the running service stops taking it within Auth:TokenRefreshInterval.
        var revoked = await CliProcess.RunAsync(directory, cli, "tokens", "revoke", "oncall-bot");
        Assert.True(revoked.Code == 0, revoked.ToString());
        Assert.True(await ServiceProcess.PollAsync(async () => (await GetAsync(http, "api/v1/incidents", secret)).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15)), service.Output);
        Assert.Equal(1, (await CliProcess.RunAsync(directory, cli, "tokens", "revoke", "oncall-bot")).Code);
        var all = await CliProcess.RunAsync(directory, cli, "tokens", "list", "--all");
        Assert.Matches(@"oncall-bot\tread,respond\tslom_\S+\t\S+\t\S+\t\d{4}-\d\d-\d\dT\S+\t\d{4}-", all.Stdout);

        service.Signal("INT");
        await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("HTTP GET /api/v1/incidents responded 401", service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(unknown, service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-even-a-token", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAuthenticationDisabledEveryStartWarnsAndRequestsNeedNoToken()
    {
        await using var database = await TestDatabase.CreateAsync();
        var httpPort = TestService.FreePort();
        var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort);
        environment["Auth__Mode"] = "disabled";
        using var service = ServiceProcess.Start(environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60)), service.Output);

        Assert.Contains("Auth:Mode=disabled: every endpoint answers anyone", service.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api/v1/incidents")).StatusCode);
        using var me = JsonDocument.Parse(await http.GetStringAsync("api/v1/whoami"));
        Assert.Equal("anonymous", me.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnUnknownAuthModeStopsStartUpNamingTheSetting()
    {
        await using var database = await TestDatabase.CreateAsync();
        var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString);
        environment["Auth__Mode"] = "none";
        using var service = ServiceProcess.Start(environment);

        Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Auth:Mode: 'none' is not one of tokens, disabled", service.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await http.SendAsync(request);
    }
}
