using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Otlp.Trace;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Telemetry;

/// <summary>A tracer provider listens to every host in the process: these tests run alone so that they see only their own service's spans.</summary>
[CollectionDefinition(nameof(SelfTelemetryTests), DisableParallelization = true)]
public sealed class SelfTelemetryCollection;

[Collection(nameof(SelfTelemetryTests))]
public sealed class SelfTelemetryTests
{
    [Fact]
    public async Task AnOtlpExportANotificationAnEvaluationRoundAndACheckpointAreTracedAsSlomonitorToTheConfiguredEndpoint()
    {
        await using var traces = await OtlpTraceReceiver.StartAsync();
        await using var hook = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = "- {name: pay, service: pay, objective: 99, sli: {kind: availability}}\n",
            AlertingYaml = $"route: {{receiver: hook, groupWait: 0s}}\nreceivers:\n  - name: hook\n    webhook: {{url: '{hook.Url}hook'}}\n",
            Settings =
            {
                ["Telemetry:OtlpEndpoint"] = traces.Endpoint.ToString(),
                ["Telemetry:OtlpRequestSampleRatio"] = "1",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["Alerting:TickInterval"] = "100ms",
                ["Slos:LocalCheckpointInterval"] = "00:00:00.200",
            },
        });
        var otlpPort = service.OtlpHttpEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "pay", "/api/pay", 10, 0);
        await service.EvaluateRoundAsync();
        using var posted = await service.Http.PostAsJsonAsync("api/v2/alerts", new[] { new { labels = new Dictionary<string, string> { ["alertname"] = "PayDown", ["severity"] = "page" } } });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        await hook.WaitForAsync(1, TimeSpan.FromSeconds(30));

        var export = await traces.WaitForAsync(s => s.Kind == Span.Types.SpanKind.Server && s.Attribute("http.route") == "/v1/traces" && s.Attribute("server.port") == otlpPort, TimeSpan.FromSeconds(30));
        Assert.Equal("slomonitor", export.Resource["service.name"]);
        Assert.False(string.IsNullOrEmpty(export.Resource["service.version"]));
        var notification = await traces.WaitForAsync(s => s.Kind == Span.Types.SpanKind.Client && (s.Attribute("url.full") ?? "").StartsWith(hook.Url + "hook", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal("POST", notification.Span.Attribute("http.request.method"));
        await traces.WaitForAsync(s => s.Name == "slo.evaluation_round", TimeSpan.FromSeconds(30));
        await traces.WaitForAsync(s => s.Name == "slo.checkpoint" && s.Attribute("slo.checkpoint.target") == "local", TimeSpan.FromSeconds(30));
        await traces.WaitForAsync(s => s.Attribute("db.system.name") == "postgresql" || s.Attribute("db.system") == "postgresql", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(traces.Spans, s => s.Span.Attribute("url.path") is "/healthz" or "/metrics");
    }

    [Fact]
    public async Task OtlpRequestsAreTracedOnlyAtTheirSampleRatioWhileApiRequestsAlwaysAre()
    {
        await using var traces = await OtlpTraceReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = "- {name: pay, service: pay, objective: 99, sli: {kind: availability}}\n",
            Settings =
            {
                ["Telemetry:OtlpEndpoint"] = traces.Endpoint.ToString(),
                ["Telemetry:OtlpRequestSampleRatio"] = "0",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            },
        });

        for (var i = 0; i < 20; i++)
        {
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "pay", "/api/pay", 1, 0);
        }

        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("api/v1/slos/pay")).StatusCode);
        var apiPort = service.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await traces.WaitForAsync(s => s.Kind == Span.Types.SpanKind.Server && s.Attribute("server.port") == apiPort, TimeSpan.FromSeconds(30));
        // The receiver here is a host in this process too, so only the service's own OTLP port counts.
        var otlpPort = service.OtlpHttpEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.DoesNotContain(traces.Spans, s => s.Span.Attribute("http.route") == "/v1/traces" && s.Span.Attribute("server.port") == otlpPort);
    }

    [Fact]
    public async Task DogfoodingFeedsTheServicesOwnSlosWithoutItsSelfExportFeedingItself()
    {
        await using var hook = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = await File.ReadAllTextAsync(RepositoryRoot.Combine("deploy", "examples", "slos", "slomonitor.yaml")),
            AlertingYaml = $"route: {{receiver: hook, groupWait: 0s}}\nreceivers:\n  - name: hook\n    webhook: {{url: '{hook.Url}hook'}}\n",
            Settings =
            {
                ["Telemetry:Dogfood"] = "true",
                ["Telemetry:OtlpRequestSampleRatio"] = "1",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["Alerting:TickInterval"] = "100ms",
            },
        });

        for (var i = 0; i < 5; i++)
        {
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 3, 0);
        }

        using var posted = await service.Http.PostAsJsonAsync("api/v2/alerts", new[] { new { labels = new Dictionary<string, string> { ["alertname"] = "CheckoutDown", ["severity"] = "page" } } });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        await hook.WaitForAsync(1, TimeSpan.FromSeconds(30));

        // Each SLO of the example file counts what it is about: the five exports, their latency, the one notification
        // delivered, the evaluation rounds.
        Window ingest = default, ingestLatency = default, delivery = default, rounds = default;
        Assert.True(await ServiceProcess.PollAsync(async () =>
        {
            await service.EvaluateRoundAsync();
            (ingest, ingestLatency, delivery, rounds) = (
                await FiveMinutesAsync(service, "slomonitor-ingest-availability"),
                await FiveMinutesAsync(service, "slomonitor-ingest-latency"),
                await FiveMinutesAsync(service, "slomonitor-notification-delivery"),
                await FiveMinutesAsync(service, "slomonitor-evaluation-latency"));
            return ingest.Total >= 5 && ingestLatency.Total >= 5 && delivery.Total >= 1 && rounds.Total >= 1;
        }, TimeSpan.FromSeconds(30)), $"ingest {ingest}, ingest latency {ingestLatency}, delivery {delivery}, rounds {rounds}");
        Assert.Equal((5, 5), (ingest.Good, ingest.Total));
        Assert.Equal(5, ingestLatency.Total);
        Assert.Equal((1, 1), (delivery.Good, delivery.Total));

        // The service has been exporting its own spans to its own OTLP port all along, and goes on: once more evaluation
        // rounds came in through those exports, none of the exports was traced as an export of its own.
        Assert.True(await ServiceProcess.PollAsync(async () =>
        {
            await service.EvaluateRoundAsync();
            return (await FiveMinutesAsync(service, "slomonitor-evaluation-latency")).Total >= rounds.Total + 3;
        }, TimeSpan.FromSeconds(30)));
        Assert.Equal(5, (await FiveMinutesAsync(service, "slomonitor-ingest-availability")).Total);
        Assert.Equal(5, (await FiveMinutesAsync(service, "slomonitor-ingest-latency")).Total);
        Assert.Equal(1, (await FiveMinutesAsync(service, "slomonitor-notification-delivery")).Total);
        using var latency = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/slomonitor-evaluation-latency"));
        Assert.Equal("ok", latency.RootElement.GetProperty("status").GetProperty("state").GetString());
    }

    private readonly record struct Window(long Good, long Total);

    private static async Task<Window> FiveMinutesAsync(TestService service, string slo)
    {
        using var document = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/" + slo));
        var window = document.RootElement.GetProperty("status").GetProperty("windows").GetProperty("5m");
        return new Window(window.GetProperty("good").GetInt64(), window.GetProperty("total").GetInt64());
    }
}
