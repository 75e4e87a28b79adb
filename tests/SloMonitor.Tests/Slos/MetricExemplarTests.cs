using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>
/// OTLP metric exemplars feed metric SLIs' exemplars: the OpenTelemetry .NET SDK attaches the trace of the request
/// a measurement was taken in, and that trace comes back from the SLO's exemplars — for a ratio SLI's bad counter, and
/// for a latency SLI's histogram only when the measurement was slower than the threshold.
/// </summary>
public sealed class MetricExemplarTests
{
    private const string Slos = """
        slos:
          - name: pay-errors
            service: pay
            objective: 99
            sli: {kind: ratio, bad: pay.failures, total: pay.requests}
          - name: pay-latency
            service: pay
            objective: 99
            sli: {kind: latency, source: metrics, metric: pay.duration, threshold: 300ms}
        """;

    [Fact]
    public async Task TheTraceOfAFailedOrSlowMeasurementComesBackAsTheSlosExemplar()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        using var source = new ActivitySource("pay-exemplar-test");
        using var meter = new Meter("pay-exemplar-test");
        var requests = meter.CreateCounter<long>("pay.requests");
        var failures = meter.CreateCounter<long>("pay.failures");
        var duration = meter.CreateHistogram<double>("pay.duration", unit: "s");
        string failedTrace, slowTrace, fastTrace;
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(source.Name).SetSampler(new AlwaysOnSampler()).Build())
        using (var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("pay"))
            .AddMeter(meter.Name)
            .SetExemplarFilter(ExemplarFilterType.TraceBased)
            .AddView("pay.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 0.3, 1] })
            .AddOtlpExporter((o, reader) =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri(service.OtlpHttpEndpoint, "/v1/metrics");
                o.Headers = "Authorization=Bearer " + service.IngestToken;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build())
        {
            using (var failed = source.StartActivity("POST /pay")!)
            {
                failedTrace = failed.TraceId.ToHexString();
                requests.Add(1);
                failures.Add(1);
                duration.Record(0.05);
            }

            using (var slow = source.StartActivity("POST /pay")!)
            {
                slowTrace = slow.TraceId.ToHexString();
                requests.Add(1);
                duration.Record(0.8);
            }

            using (var fast = source.StartActivity("POST /pay")!)
            {
                fastTrace = fast.TraceId.ToHexString();
                requests.Add(1);
                duration.Record(0.02);
            }

            Assert.True(metrics.ForceFlush(10_000));
        }

        await service.EvaluateRoundAsync();
        var errorTraces = await TracesAsync(service, "pay-errors");
        var latencyTraces = await TracesAsync(service, "pay-latency");

        Assert.Equal([failedTrace], errorTraces);
        Assert.Equal([slowTrace], latencyTraces);
        Assert.DoesNotContain(fastTrace, latencyTraces);
    }

    private static async Task<List<string>> TracesAsync(TestService service, string slo)
    {
        using var document = JsonDocument.Parse(await service.Http.GetStringAsync($"/api/v1/slos/{slo}/exemplars?window=5m&limit=10"));
        return [.. document.RootElement.GetProperty("recent").EnumerateArray().Select(e => e.GetProperty("traceId").GetString()!).Distinct()];
    }
}
