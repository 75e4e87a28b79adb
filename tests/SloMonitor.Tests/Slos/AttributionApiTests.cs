using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>
/// Attribution, exemplars and deploy markers through the real host, fed by the OpenTelemetry .NET SDK's OTLP
/// exporter: the route that carries the errors comes out first, and the failing requests come back as trace links.
/// </summary>
public sealed class AttributionApiTests
{
    private const string Slos = """
        slos:
          - name: shop-availability
            service: shop
            objective: 99.9
            traceUrlTemplate: https://tempo.example/trace/{traceId}?span={spanId}
            sli: {kind: availability}
          - name: shop-latency
            service: shop
            objective: 99
            sli: {kind: latency, threshold: 300ms}
        """;

    [Fact]
    public async Task TheRouteCarryingTheErrorsComesOutFirstAndItsFailingRequestsComeBackAsTraceLinks()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            Settings = { ["Slos:Attribution:GoodSampleEvery"] = "1", ["Slos:Attribution:GoodSamplesPerMinute"] = "0", ["Slos:Attribution:SketchWidth"] = "4096", ["Slos:TraceUrlTemplate"] = "https://traces.example/{traceId}" },
        });

        var failed = ExportShopTraffic(service, "2.0.0");
        await service.EvaluateRoundAsync();

        using var attribution = await GetJsonAsync(service, "/api/v1/slos/shop-availability/attribution?window=5m");
        var root = attribution.RootElement;
        Assert.Equal((10L, 200L), (root.GetProperty("badEvents").GetInt64(), root.GetProperty("totalEvents").GetInt64()));
        var first = root.GetProperty("top")[0];
        Assert.Equal(("http.route", "/checkout"), (first.GetProperty("key").GetString(), first.GetProperty("value").GetString()));
        Assert.Equal(0.9, first.GetProperty("badShare").GetDouble(), 3);
        Assert.Equal(0.05, first.GetProperty("trafficShare").GetDouble(), 3);
        var version = root.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("key").GetString() == "service.version");
        Assert.Equal("2.0.0", version.GetProperty("values")[0].GetProperty("value").GetString());

        using var exemplars = await GetJsonAsync(service, "/api/v1/slos/shop-availability/exemplars?window=5m&limit=3");
        var recent = exemplars.RootElement.GetProperty("recent");
        Assert.Equal(3, recent.GetArrayLength());
        foreach (var exemplar in recent.EnumerateArray())
        {
            var traceId = exemplar.GetProperty("traceId").GetString()!;
            Assert.Contains(traceId, failed.Keys);
            Assert.Equal($"https://tempo.example/trace/{traceId}?span={failed[traceId]}", exemplar.GetProperty("traceUrl").GetString());
            Assert.Equal("error", exemplar.GetProperty("status").GetString());
            Assert.Equal("/checkout", exemplar.GetProperty("attributes").GetProperty("http.route").GetString());
        }

        // Without a template of its own, an SLO links with the global one.
        using var latency = await GetJsonAsync(service, "/api/v1/slos/shop-latency/exemplars?window=1h");
        var slow = latency.RootElement.GetProperty("slowest")[0];
        Assert.StartsWith("https://traces.example/", slow.GetProperty("traceUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.9, slow.GetProperty("durationSeconds").GetDouble(), 3);
    }

    [Fact]
    public async Task ANewServiceVersionBecomesADeployMarker()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Settings = { ["Slos:Attribution:GoodSampleEvery"] = "1", ["Slos:Attribution:GoodSamplesPerMinute"] = "0" } });

        ExportShopTraffic(service, "1.0.0", end: DateTimeOffset.UtcNow.AddMinutes(-2));
        ExportShopTraffic(service, "1.1.0");

        using var deploys = await GetJsonAsync(service, "/api/v1/slos/shop-availability/deploys");
        var marker = Assert.Single(deploys.RootElement.GetProperty("deploys").EnumerateArray());
        Assert.Equal("1.1.0", marker.GetProperty("version").GetString());
    }

    [Fact]
    public async Task UnknownSlosAreNotFoundAndBadWindowsOrLimitsAreNamed()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        using var missing = await service.Http.GetAsync(new Uri("/api/v1/slos/nope/attribution", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        foreach (var (path, field) in new[]
        {
            ("/api/v1/slos/shop-availability/attribution?window=7d", "window"),
            ("/api/v1/slos/shop-availability/exemplars?window=soon", "window"),
            ("/api/v1/slos/shop-availability/exemplars?limit=0", "limit"),
            ("/api/v1/slos/shop-availability/exemplars?limit=1000", "limit"),
        })
        {
            using var response = await service.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(field, body.RootElement.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task ALatencySlosHistogramHoldsEveryValueInBinsAndMarksTheSlowOnesWhileOtherSlisHaveNone()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        ExportShopTraffic(service, "1.0.0");

        using var histogram = await GetJsonAsync(service, "/api/v1/slos/shop-latency/latency-histogram?window=5m");
        var root = histogram.RootElement;
        var bins = root.GetProperty("bins").EnumerateArray().ToList();
        Assert.Equal(200, root.GetProperty("count").GetInt64());
        Assert.Equal(200, bins.Sum(b => b.GetProperty("count").GetInt64()));
        Assert.Equal(10, bins.Where(b => b.GetProperty("aboveThreshold").GetBoolean()).Sum(b => b.GetProperty("count").GetInt64()));
        Assert.True(bins.Count <= 40, $"{bins.Count} bins");
        Assert.All(bins.Zip(bins.Skip(1)), pair => Assert.Equal(pair.First.GetProperty("upper").GetDouble(), pair.Second.GetProperty("lower").GetDouble(), 12));
        var slowest = bins.Last(b => b.GetProperty("count").GetInt64() > 0);
        Assert.InRange(0.9, slowest.GetProperty("lower").GetDouble(), slowest.GetProperty("upper").GetDouble());

        using var none = await service.Http.GetAsync("/api/v1/slos/shop-availability/latency-histogram");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("has no latency histogram", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badWindow = await service.Http.GetAsync("/api/v1/slos/shop-latency/latency-histogram?window=90d");
        Assert.Equal(HttpStatusCode.BadRequest, badWindow.StatusCode);
    }

    /// <summary>
    /// 200 server spans of shop over OTLP/gRPC from the SDK: 10 on /checkout (9 fail), 190 on other routes (1 fails).
    /// Checkout's spans take 900 ms, the others 20 ms; the other route's failure ends a second before
    /// the rest and is sent before checkout's.
    /// Returns the failed checkout spans' trace id → span id.
    /// </summary>
    internal static Dictionary<string, string> ExportShopTraffic(TestService service, string version, DateTimeOffset? end = null)
    {
        using var source = new ActivitySource("attribution-" + Guid.NewGuid().ToString("N"));
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("shop", serviceVersion: version))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Endpoint = service.OtlpGrpcEndpoint;
                o.Headers = "Authorization=Bearer " + service.IngestToken;
                o.TimeoutMilliseconds = 10_000;
            })
            .Build();
        var failed = new Dictionary<string, string>();
        var at = end ?? DateTimeOffset.UtcNow;
        for (var i = 199; i >= 0; i--)
        {
            var checkout = i < 10;
            var route = checkout ? "/checkout" : "/r" + (i % 19);
            var bad = checkout ? i < 9 : i == 10;
            var ends = bad && !checkout ? at.AddSeconds(-1) : at;
            using var activity = source.StartActivity("GET " + route, ActivityKind.Server, default(ActivityContext), startTime: ends.AddMilliseconds(checkout ? -900 : -20))!;
            activity.SetTag("http.route", route);
            activity.SetTag("http.response.status_code", bad ? 500 : 200);
            activity.SetStatus(bad ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
            activity.SetEndTime(ends.UtcDateTime);
            if (bad && checkout)
            {
                failed[activity.TraceId.ToHexString()] = activity.SpanId.ToHexString();
            }
        }

        provider.ForceFlush(10_000);
        return failed;
    }

    private static async Task<JsonDocument> GetJsonAsync(TestService service, string path)
    {
        using var response = await service.Http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }
}
