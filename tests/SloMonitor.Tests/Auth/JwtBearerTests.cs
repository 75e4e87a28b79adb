using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenTelemetry.Exporter;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// JWTs from an OIDC issuer (<c>Auth:Jwt</c>) signed by a key the test owns and published by a loopback discovery
/// document and JWKS: accepted beside the service's own tokens on the API and on ingest, with scopes mapped from a
/// claim and the principal named by a claim as the actor.
/// </summary>
public sealed class JwtBearerTests
{
    private const string Slos = """
        slos:
          - name: cart-availability
            service: cart
            objective: 99
            sli: {kind: availability}
        """;

    private static TestServiceOptions Options(LoopbackOidcIssuer issuer) => new()
    {
        SloYaml = Slos,
        Settings =
        {
            ["Auth:Jwt:Issuer"] = issuer.Issuer,
            ["Auth:Jwt:Audience"] = "slomonitor",
            ["Auth:Jwt:RequireHttpsMetadata"] = "false",
            ["Auth:Jwt:NameClaim"] = "email",
            ["Auth:Jwt:ScopeClaim"] = "groups",
            ["Auth:Jwt:ScopeMap:sre"] = "read,write,respond",
            ["Auth:Jwt:ScopeMap:viewers"] = "read",
            ["Auth:Jwt:ScopeMap:exporters"] = "ingest",
        },
    };

    [Fact]
    public async Task AValidJwtWorksWithItsMappedScopesAndItsNamedPrincipalIsTheActor()
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        await using var service = await TestService.StartAsync(Options(issuer));
        using var alice = Client(service, issuer.Sign(new Dictionary<string, object> { ["sub"] = "u-1", ["email"] = "alice@example.com", ["groups"] = new[] { "sre", "unrelated" } }));

        using (var me = JsonDocument.Parse(await alice.GetStringAsync("/api/v1/whoami")))
        {
            Assert.Equal("alice@example.com", me.RootElement.GetProperty("name").GetString());
            Assert.Equal("default", me.RootElement.GetProperty("tenant").GetString());
            Assert.Equal(["read", "respond", "write"], me.RootElement.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
        }

        using var silence = await alice.PostAsJsonAsync("/api/v1/silences", new { matchers = new[] { "team=\"payments\"" }, endsAt = DateTimeOffset.UtcNow.AddHours(1), comment = "failover", createdBy = "someone-else" });
        Assert.Equal(HttpStatusCode.Created, silence.StatusCode);
        var created = await silence.Content.ReadFromJsonAsync<JsonElement>();
        var listed = (await alice.GetFromJsonAsync<JsonElement>("/api/v1/silences")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == created.GetProperty("id").GetString());
        Assert.Equal("alice@example.com", listed.GetProperty("createdBy").GetString());

        var audit = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?kind=silence")).EnumerateArray().Single();
        Assert.Equal("alice@example.com", audit.GetProperty("actor").GetString());

        // The service's own tokens still work beside JWTs.
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/api/v1/slos")).StatusCode);
    }

    [Fact]
    public async Task AnIncidentAcknowledgedAndResolvedWithAJwtRecordsItsPrincipalOnTheTimelineAndInTheAuditLog()
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        var options = Options(issuer);
        options = new TestServiceOptions { Settings = options.Settings, AlertingYaml = "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n" };
        await using var service = await TestService.StartAsync(options);
        var alert = new[] { new { labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["slo"] = "cart", ["service"] = "cart", ["severity"] = "page" } } };
        Assert.Equal(HttpStatusCode.OK, (await service.Http.PostAsJsonAsync("/api/v2/alerts", alert)).StatusCode);
        var id = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?slo=cart")).EnumerateArray().Single().GetProperty("id").GetInt64();
        using var alice = Client(service, issuer.Sign(new Dictionary<string, object> { ["sub"] = "u-1", ["email"] = "alice@example.com", ["groups"] = "sre" }));

        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/incidents/{id}/ack", new { actor = "mallory" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/incidents/{id}/resolve", new { })).StatusCode);

        var timeline = (await alice.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}")).GetProperty("timeline").EnumerateArray()
            .Select(t => $"{t.GetProperty("kind").GetString()}:{t.GetProperty("actor").GetString()}").ToList();
        Assert.Contains("acked:alice@example.com", timeline);
        Assert.Contains("resolved:alice@example.com", timeline);
        var audit = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?kind=incident")).EnumerateArray().Select(e => e.GetProperty("actor").GetString()).ToList();
        Assert.Equal(["alice@example.com", "alice@example.com"], audit);
    }

    [Fact]
    public async Task AJwtWithTheIngestScopeFeedsSlisOverGrpcAndHttp()
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        await using var service = await TestService.StartAsync(Options(issuer));
        var exporter = issuer.Sign(new Dictionary<string, object> { ["sub"] = "otel-collector", ["groups"] = "exporters" });
        var viewer = issuer.Sign(new Dictionary<string, object> { ["sub"] = "grafana", ["groups"] = "viewers" });

        ExporterAuthTests.Export(service, OtlpExportProtocol.Grpc, "Authorization=Bearer " + exporter, spans: 2);
        ExporterAuthTests.Export(service, OtlpExportProtocol.HttpProtobuf, "Authorization=Bearer " + exporter, spans: 3);
        ExporterAuthTests.Export(service, OtlpExportProtocol.Grpc, "Authorization=Bearer " + viewer, spans: 7);
        ExporterAuthTests.Export(service, OtlpExportProtocol.HttpProtobuf, "Authorization=Bearer " + viewer, spans: 7);

        await service.EvaluateRoundAsync();
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("/api/v1/slos/cart-availability"));
        Assert.Equal(5, slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "audience", "is not issued for the audience 'slomonitor'" },
        { "issuer", "is not issued by" },
        { "expired", "the token has expired" },
        { "signature", "signature does not verify" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AJwtWithTheWrongAudienceOrIssuerExpiredOrBadlySignedIsRefusedWith401(string problem, string message)
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        await using var service = await TestService.StartAsync(Options(issuer));
        var claims = new Dictionary<string, object> { ["sub"] = "mallory", ["groups"] = "sre" };
        var jwt = problem switch
        {
            "audience" => issuer.Sign(claims, audience: "another-app"),
            "issuer" => issuer.Sign(claims, issuer: "https://login.example.com"),
            "expired" => issuer.Sign(claims, expires: DateTime.UtcNow.AddMinutes(-5)),
            _ => issuer.Sign(claims, foreignKey: true),
        };
        using var client = Client(service, jwt);

        using var response = await client.GetAsync("/api/v1/slos");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        // The same refused token is answered the same on the next call (nothing remembered as valid).
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/slos")).StatusCode);
    }

    [Fact]
    public async Task AJwtWithoutTheScopeIsForbiddenNamingIt()
    {
        await using var issuer = await LoopbackOidcIssuer.StartAsync();
        await using var service = await TestService.StartAsync(Options(issuer));
        using var viewer = Client(service, issuer.Sign(new Dictionary<string, object> { ["sub"] = "u-2", ["email"] = "bob@example.com", ["groups"] = "viewers" }));

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/slos")).StatusCode);
        using var response = await viewer.PostAsJsonAsync("/api/v1/silences", new { matchers = new[] { "team=\"payments\"" }, endsAt = DateTimeOffset.UtcNow.AddHours(1), comment = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("the token 'bob@example.com' lacks the scope 'write'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var nobody = Client(service, issuer.Sign(new Dictionary<string, object> { ["sub"] = "u-3", ["groups"] = "unrelated" }));
        Assert.Equal(HttpStatusCode.Forbidden, (await nobody.GetAsync("/api/v1/slos")).StatusCode);
    }

    private static HttpClient Client(TestService service, string jwt)
    {
        var client = service.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        return client;
    }
}
