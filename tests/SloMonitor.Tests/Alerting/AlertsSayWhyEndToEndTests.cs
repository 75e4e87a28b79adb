using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Alerting;

/// <summary>
/// Spans from the OpenTelemetry .NET SDK's exporter, a page, and a webhook body that says what is burning: the route
/// carrying the errors among its attributions and links to the failing requests' traces, also on the incident's
/// timeline.
/// </summary>
public sealed class AlertsSayWhyEndToEndTests
{
    private const string Slos = """
        slos:
          - name: shop-availability
            service: shop
            objective: 99.9
            traceUrlTemplate: https://tempo.example/trace/{traceId}
            sli: {kind: availability}
        """;

    [Fact]
    public async Task APageCarriesTheTopAttributionsAndTraceLinksOfTheFailingRequests()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            AlertingYaml = $"""
                route:
                  receiver: hook
                  groupBy: [slo, severity]
                  groupWait: 0s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    webhook: {"{"} url: {receiver.Url}hook {"}"}
                """,
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.2", ["Alerting:TickInterval"] = "100ms", ["Slos:Attribution:GoodSampleEvery"] = "1", ["Slos:Attribution:GoodSamplesPerMinute"] = "0", ["Slos:Attribution:SketchWidth"] = "4096" },
        });

        // 10 errors in 200 spans (5 %, burn rate 50), 9 of them on /checkout, which has 5 % of the traffic.
        var failed = AttributionApiTests.ExportShopTraffic(service, "3.1.0");
        await receiver.WaitUntilAsync(r => r.Any(IsPage), TimeSpan.FromSeconds(20));

        var page = JsonDocument.Parse(receiver.Requests.First(IsPage).Body).RootElement;
        var alert = page.GetProperty("alerts").EnumerateArray().First(a => a.GetProperty("labels").GetProperty("severity").GetString() == "page");
        var annotations = alert.GetProperty("annotations");
        var attributions = annotations.GetProperty("attributions").GetString()!;
        Assert.StartsWith("http.route=/checkout: 90% of bad events, 5% of traffic", attributions, StringComparison.Ordinal);
        // Then the route of the one other error; span.name, which says the same as http.route, is not repeated.
        Assert.Equal(["http.route=/checkout", "http.route=/r10"], attributions.Split("; ").Select(a => a.Split(':')[0]));
        var links = annotations.GetProperty("trace_urls").GetString()!.Split(' ');
        Assert.Equal(3, links.Length);
        Assert.All(links, link => Assert.Contains(link["https://tempo.example/trace/".Length..], failed.Keys));
        Assert.EndsWith("/ui/slos/shop-availability/debug", annotations.GetProperty("debug_url").GetString(), StringComparison.Ordinal);

        var incident = Assert.Single((await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?slo=shop-availability")).EnumerateArray());
        var detail = await service.Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{incident.GetProperty("id").GetInt64()}");
        var created = detail.GetProperty("timeline").EnumerateArray().First(t => t.GetProperty("kind").GetString() == "created").GetProperty("details");
        Assert.Equal(attributions, created.GetProperty("attributions").GetString());
        Assert.Equal(string.Join(' ', links), created.GetProperty("traceUrls").GetString());
    }

    private static bool IsPage(RecordedRequest request) => request.Body.Contains("\"severity\":\"page\"", StringComparison.Ordinal);
}
