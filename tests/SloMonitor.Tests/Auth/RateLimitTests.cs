using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Otlp.Rpc;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// <c>Auth:RateLimits</c> over real loopback HTTP and gRPC: a token over its bucket gets 429 with <c>Retry-After</c>
/// (gRPC <c>RESOURCE_EXHAUSTED</c> with google.rpc.RetryInfo), other tokens go on, and /metrics counts the refusals
/// per tenant.
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task ATenantsTokensShareItsIngestLimitAndAnotherTenantGoesOn()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            Settings =
            {
                ["Auth:RateLimits:Enabled"] = "true",
                ["Auth:RateLimits:Tenants:acme:PermitsPerSecond"] = "1",
                ["Auth:RateLimits:Tenants:acme:Burst"] = "3",
            },
        });
        var (_, first) = await service.TenantClientAsync("acme", "acme-collector-1", "ingest");
        var (_, second) = await service.TenantClientAsync("acme", "acme-collector-2", "ingest");
        var (_, other) = await service.TenantClientAsync("globex", "globex-collector", "ingest");
        using var http = new HttpClient { BaseAddress = service.OtlpHttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };

        // Each token is far below its own limit (2,000 a second): the tenant's bucket of 3 is what runs out.
        var answers = new List<HttpStatusCode>();
        foreach (var token in new[] { first, second, first, second })
        {
            using var response = await PostSpans(http, token);
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains("the tenant 'acme' is over its ingest rate limit (1 requests a second, bursts of 3, shared by all its tokens: Auth:RateLimits:Tenants:acme)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers);
        using var globex = await PostSpans(http, other);
        Assert.Equal(HttpStatusCode.OK, globex.StatusCode);
    }

    private static Task<HttpResponseMessage> PostSpans(HttpClient http, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/traces")
        {
            Content = new ByteArrayContent(Google.Protobuf.MessageExtensions.ToByteArray(new SloMonitor.Otlp.Collector.Trace.ExportTraceServiceRequest { ResourceSpans = { new SloMonitor.Otlp.Trace.ResourceSpans() } })) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task ATokenOverItsReadLimitGets429WithRetryAfterWhileAnotherTokenGoesOn()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            Settings =
            {
                ["Auth:RateLimits:Enabled"] = "true",
                ["Auth:RateLimits:Read:PermitsPerSecond"] = "1",
                ["Auth:RateLimits:Read:Burst"] = "3",
                ["Auth:RateLimits:Tokens:test-admin:PermitsPerSecond"] = "1000",
            },
        });
        using var alice = await service.ClientWithAsync("alice", "read");
        using var bob = await service.ClientWithAsync("bob", "read");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/slos")).StatusCode);
        }

        using var refused = await alice.GetAsync("/api/v1/slos");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Contains("the token 'alice' is over its rate limit (1 requests a second, bursts of 3: Auth:RateLimits:Read)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/slos")).StatusCode);

        // The admin token has a limit of its own, far above the class's.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/api/v1/slos")).StatusCode);
        }

        var metrics = await service.Http.GetStringAsync("/metrics");
        Assert.Contains("slomon_rate_limited_requests_total{tenant=\"default\"}", metrics, StringComparison.Ordinal);

        // The bucket refills: a second later alice may ask again.
        await Poll.UntilAsync(async () => (await alice.GetAsync("/api/v1/slos")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "alice's bucket refilled");
    }

    [Fact]
    public async Task AnIngestTokenOverItsLimitGetsResourceExhaustedWithRetryInfoOnGrpcAnd429OnOtlpHttp()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            Settings =
            {
                ["Auth:RateLimits:Enabled"] = "true",
                ["Auth:RateLimits:Ingest:PermitsPerSecond"] = "1",
                ["Auth:RateLimits:Ingest:Burst"] = "2",
            },
        });
        var collector = await TestTokens.CreateAsync(service.Services.GetRequiredService<SloMonitor.Auth.TokenStore>(), "collector", "ingest");
        using var channel = GrpcChannel.ForAddress(service.OtlpGrpcEndpoint);

        Assert.Equal(StatusCode.OK, (await ExportAsync(channel, collector)).Code);
        Assert.Equal(StatusCode.OK, (await ExportAsync(channel, collector)).Code);
        var (code, detail, trailers) = await ExportAsync(channel, collector);
        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.Contains("the token 'collector' is over its rate limit", detail, StringComparison.Ordinal);
        var details = SloMonitor.Otlp.Rpc.Status.Parser.ParseFrom(trailers.GetValueBytes("grpc-status-details-bin") ?? throw new InvalidOperationException("no grpc-status-details-bin"));
        Assert.True(Assert.Single(details.Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan() >= TimeSpan.FromSeconds(1));

        // OTLP/HTTP draws on the same bucket: the same token and scope.
        using var http = new HttpClient { BaseAddress = service.OtlpHttpEndpoint };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", collector);
        using var body = new ByteArrayContent([]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var refused = await http.PostAsync("/v1/traces", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);

        // Another ingest token is not held back.
        Assert.Equal(StatusCode.OK, (await ExportAsync(channel, service.IngestToken)).Code);
        Assert.Contains("slomon_rate_limited_requests_total{tenant=\"default\"}", await service.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Read:PermitsPerSecond", "fast", "Auth:RateLimits:Read:PermitsPerSecond")]
    [InlineData("Ingest:Burst", "-1", "Auth:RateLimits:Ingest:Burst")]
    [InlineData("Write:Burst", "10", "Auth:RateLimits:Write:Burst: 10 is below PermitsPerSecond")]
    [InlineData("Tokens:grafana:Burst", "10", "Auth:RateLimits:Tokens:grafana:PermitsPerSecond: required")]
    [InlineData("Enabled", "maybe", "Auth:RateLimits:Enabled")]
    public void ABadRateLimitSettingStopsStartUpNamingTheKey(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { ["Auth:RateLimits:" + key] = value };
        if (key.StartsWith("Write", StringComparison.Ordinal))
        {
            settings["Auth:RateLimits:Write:PermitsPerSecond"] = "20";
        }

        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var e = Assert.Throws<SloMonitor.Hosting.StartupException>(() => SloMonitor.Auth.RateLimitOptions.Read(configuration.GetSection("Auth:RateLimits")));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    private static async Task<(StatusCode Code, string Detail, Metadata Trailers)> ExportAsync(GrpcChannel channel, string token)
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", Bytes, Bytes);
        var headers = new Metadata { { "authorization", "Bearer " + token } };
        var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)), []);
        try
        {
            await call.ResponseAsync;
            return (StatusCode.OK, "", call.GetTrailers());
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail, e.Trailers);
        }
    }
}
