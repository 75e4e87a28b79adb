using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// Every endpoint the service maps, listed from its own endpoint data source (HTTP routes and gRPC methods alike),
/// is asked without a token, with a token lacking its scope and with a token holding just that scope. An endpoint
/// that is not in <see cref="Expected"/> fails the test, so a new route cannot ship without its scope being decided.
/// </summary>
public sealed class EndpointCoverageTests
{
    private const string Anonymous = "anonymous";
    private const string AnyToken = "any token";

    /// <summary>What each endpoint needs, by "METHOD route pattern".</summary>
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["GET /healthz"] = Anonymous,
        ["GET /readyz"] = Anonymous,
        ["GET /api/v1/ui/config"] = Anonymous,
        ["GET /"] = Anonymous,
        ["GET /ui"] = Anonymous,
        ["HEAD /ui"] = Anonymous,
        ["GET /ui/{**path}"] = Anonymous,
        ["HEAD /ui/{**path}"] = Anonymous,
        ["ANY /metrics"] = "read",
        ["GET /api/v1/whoami"] = AnyToken,
        ["GET /api/v1/tokens"] = "admin",
        ["POST /api/v1/tokens"] = "admin",
        ["DELETE /api/v1/tokens/{idOrName}"] = "admin",
        ["GET /api/v1/audit"] = "admin",
        ["GET /api/v1/slos"] = "read",
        ["GET /api/v1/slos/{name}"] = "read",
        ["PUT /api/v1/slos/{name}"] = "write",
        ["DELETE /api/v1/slos/{name}"] = "write",
        ["GET /api/v1/slos/{name}/history"] = "read",
        ["GET /api/v1/slos/{name}/burndown"] = "read",
        ["POST /api/v1/slos/apply"] = "write",
        ["GET /api/v1/slos/{name}/adjustments"] = "read",
        ["POST /api/v1/slos/{name}/adjustments"] = "write",
        ["DELETE /api/v1/slos/{name}/adjustments/{id:long}"] = "write",
        ["GET /api/v1/reports"] = "read",
        ["GET /api/v1/slos/{name}/timeline"] = "read",
        ["GET /api/v1/slos/{name}/attribution"] = "read",
        ["GET /api/v1/slos/{name}/exemplars"] = "read",
        ["GET /api/v1/slos/{name}/deploys"] = "read",
        ["GET /api/v1/slos/{name}/latency-histogram"] = "read",
        ["GET /api/v1/gates/{service}"] = "read",
        ["POST /api/v1/gates/{service}/overrides"] = "write",
        ["DELETE /api/v1/gates/{service}/overrides/{id:long}"] = "write",
        ["GET /api/v1/incidents"] = "read",
        ["GET /api/v1/incidents/{id:long}"] = "read",
        ["POST /api/v1/incidents/{id:long}/ack"] = "respond",
        ["POST /api/v1/incidents/{id:long}/resolve"] = "respond",
        ["POST /api/v1/incidents/{id:long}/comments"] = "respond",
        ["GET /api/v1/silences"] = "read",
        ["GET /api/v1/silences/{id:guid}"] = "read",
        ["POST /api/v1/silences"] = "write",
        ["DELETE /api/v1/silences/{id:guid}"] = "write",
        ["POST /api/v2/alerts"] = "ingest",
        ["GET /api/v2/alerts"] = "read",
        ["GET /api/v2/alerts/groups"] = "read",
        ["GET /api/v2/silences"] = "read",
        ["GET /api/v2/silence/{id}"] = "read",
        ["POST /api/v2/silences"] = "write",
        ["DELETE /api/v2/silence/{id}"] = "write",
        ["GET /api/v2/status"] = "read",
        ["GET /api/v2/receivers"] = "read",
        ["POST /v1/traces"] = "ingest",
        ["POST /v1/metrics"] = "ingest",
        ["POST /v1/logs"] = "ingest",
        ["POST /opentelemetry.proto.collector.trace.v1.TraceService/Export"] = "ingest",
        ["POST /opentelemetry.proto.collector.metrics.v1.MetricsService/Export"] = "ingest",
        ["POST /opentelemetry.proto.collector.logs.v1.LogsService/Export"] = "ingest",
        // gRPC's answers for methods and services it does not have (UNIMPLEMENTED) carry the OTLP services' scope;
        // the one for unknown services is reachable on the HTTP port only (the gRPC port takes OTLP's paths alone).
        ["ANY /opentelemetry.proto.collector.trace.v1.TraceService/{unimplementedMethod:grpcunimplemented}"] = "ingest",
        ["ANY /opentelemetry.proto.collector.metrics.v1.MetricsService/{unimplementedMethod:grpcunimplemented}"] = "ingest",
        ["ANY /opentelemetry.proto.collector.logs.v1.LogsService/{unimplementedMethod:grpcunimplemented}"] = "ingest",
        ["ANY /{unimplementedService}/{unimplementedMethod:grpcunimplemented}"] = "ingest",
    };

    [Fact]
    public async Task EveryEndpointRefusesNoTokenAndAWrongScopeAndServesTheRightScope()
    {
        await using var service = await TestService.StartAsync();
        var endpoints = Listed(service);
        var unknown = endpoints.Select(e => e.Key).Where(k => !Expected.ContainsKey(k)).ToList();
        Assert.True(unknown.Count == 0, "endpoints without a decided scope (add them to the table): " + string.Join(", ", unknown));
        var gone = Expected.Keys.Where(k => endpoints.All(e => e.Key != k)).ToList();
        Assert.True(gone.Count == 0, "endpoints in the table that the service no longer maps: " + string.Join(", ", gone));

        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var scope in new[] { "ingest", "read", "write", "respond", "admin" })
        {
            tokens[scope] = await TestTokens.CreateAsync(service.Services.GetRequiredService<SloMonitor.Auth.TokenStore>(), "only-" + scope, scope);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();
        foreach (var (key, method, path) in endpoints)
        {
            var needs = Expected[key];
            var without = await AskAsync(http, service, method, path, null);
            if (needs == Anonymous)
            {
                Check(failures, key, "no token", without, refused: false);
                continue;
            }

            Check(failures, key, "no token", without, refused: true, status: 401);
            if (needs != AnyToken)
            {
                var wrong = needs == "read" ? "ingest" : "read";
                Check(failures, key, $"the scope {wrong}", await AskAsync(http, service, method, path, tokens[wrong]), refused: true, status: 403, scope: needs);
            }

            Check(failures, key, $"the scope {(needs == AnyToken ? "read" : needs)}", await AskAsync(http, service, method, path, tokens[needs == AnyToken ? "read" : needs]), refused: false);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task MetricsAnswerWithoutATokenWhenConfiguredOpen()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Auth:MetricsOpen"] = "true" } });
        using var http = service.Anonymous();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/slos")).StatusCode);
    }

    /// <summary>The endpoints as "METHOD pattern", with the method and a path that reaches each.</summary>
    internal static List<(string Key, string Method, string Path)> Listed(TestService service)
    {
        var listed = new List<(string, string, string)>();
        foreach (var source in service.Services.GetServices<EndpointDataSource>())
        {
            foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
            {
                var raw = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
                var pattern = raw.Length > 1 ? raw : "/";
                // Without method metadata an endpoint takes any method: asked with GET, or POST for gRPC's fallbacks.
                if (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is not { } methods)
                {
                    listed.Add(($"ANY {pattern}", pattern.Contains("unimplemented", StringComparison.Ordinal) ? "POST" : "GET", Concrete(pattern)));
                    continue;
                }

                foreach (var method in methods)
                {
                    listed.Add(($"{method} {pattern}", method, Concrete(pattern)));
                }
            }
        }

        return listed.Distinct().ToList();
    }

    /// <summary>A path matching the pattern: each parameter replaced by a value its constraint accepts.</summary>
    private static string Concrete(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\*\*)?([A-Za-z]+)(:[a-z]+)?\}", m => m.Groups[3].Value switch
        {
            ":long" => "1",
            ":guid" => "5b1f3b6e-2f5e-4b3a-9d1e-0c3a7f6f1a2b",
            _ => m.Groups[2].Value switch
            {
                "unimplementedService" => "example.Nothing",
                "unimplementedMethod" => "Nothing",
                _ => "x",
            },
        });

    internal static async Task<Answer> AskAsync(HttpClient http, TestService service, string method, string path, string? token)
    {
        var otlpGrpc = path.StartsWith("/opentelemetry.", StringComparison.Ordinal);
        var grpc = otlpGrpc || path.StartsWith("/example.", StringComparison.Ordinal);
        var baseAddress = otlpGrpc ? service.OtlpGrpcEndpoint : path.StartsWith("/v1/", StringComparison.Ordinal) ? service.OtlpHttpEndpoint : service.BaseAddress;
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(baseAddress, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (grpc)
        {
            if (otlpGrpc)
            {
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            request.Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { ContentType = new MediaTypeHeaderValue("application/grpc") } };
            request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        }
        else if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            request.Content = new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf") } };
        }
        else if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? grpcStatus = null;
        if (grpc)
        {
            grpcStatus = response.Headers.TryGetValues("grpc-status", out var values) ? values.First()
                : response.TrailingHeaders.TryGetValues("grpc-status", out var trailers) ? trailers.First() : null;
        }

        return new Answer((int)response.StatusCode, grpcStatus, body, response.Headers.WwwAuthenticate.ToString());
    }

    private static void Check(List<string> failures, string key, string with, Answer answer, bool refused, int status = 0, string? scope = null)
    {
        if (answer.GrpcStatus is not null || key.Contains("/opentelemetry.", StringComparison.Ordinal) || key.Contains("unimplementedService", StringComparison.Ordinal))
        {
            var expected = status == 401 ? "16" : status == 403 ? "7" : null;
            if (refused ? answer.GrpcStatus != expected : answer.GrpcStatus is "16" or "7")
            {
                failures.Add($"{key} with {with}: grpc-status {answer.GrpcStatus ?? "none"} (HTTP {answer.Status}), expected {(refused ? expected : "neither 16 nor 7")}");
            }

            return;
        }

        if (!refused)
        {
            if (answer.Status is 401 or 403)
            {
                failures.Add($"{key} with {with}: {answer.Status} {answer.Body}");
            }

            return;
        }

        if (answer.Status != status || !answer.WwwAuthenticate.StartsWith("Bearer", StringComparison.Ordinal) || !answer.Body.Contains("\"error\"", StringComparison.Ordinal)
            || (scope is not null && !answer.Body.Contains($"lacks the scope '{scope}'", StringComparison.Ordinal)))
        {
            failures.Add($"{key} with {with}: {answer.Status} (expected {status}{(scope is null ? "" : " naming " + scope)}), WWW-Authenticate '{answer.WwwAuthenticate}', body {answer.Body}");
        }
    }

    internal sealed record Answer(int Status, string? GrpcStatus, string Body, string WwwAuthenticate);
}
