using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;
using SpanKind = SloMonitor.Otlp.SpanKind;

namespace SloMonitor.Ingest.Tests.Exporters;

/// <summary>The OpenTelemetry .NET SDK's own OTLP exporter, over gRPC and http/protobuf, against a real host.</summary>
public sealed class DotnetSdkExporterTests
{
    public static TheoryData<OtlpExportProtocol> Protocols => new() { OtlpExportProtocol.Grpc, OtlpExportProtocol.HttpProtobuf };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SpansExportedByTheDotnetSdkReachTheSinkOnceWithTheirAttributesAndDurations(OtlpExportProtocol protocol)
    {
        await using var host = await IngestHost.StartAsync();
        using var source = new ActivitySource("dotnet-sdk-test-" + protocol);
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("checkout").AddAttributes([new("tier", "gold")]))
            .AddSource(source.Name)
            .AddOtlpExporter(o => Configure(o, host, protocol, "/v1/traces"))
            .Build())
        {
            var end = DateTimeOffset.UtcNow;
            for (var i = 0; i < 5; i++)
            {
                using var activity = source.StartActivity("GET /cart", ActivityKind.Server, default(ActivityContext), startTime: end.AddMilliseconds(-250))!;
                activity.SetTag("http.route", "/cart");
                activity.SetTag("http.response.status_code", i == 4 ? 500 : 200);
                activity.SetStatus(i == 4 ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
                activity.SetEndTime(end.UtcDateTime);
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        var spans = host.Sink.Spans.ToArray();
        Assert.Equal(5, spans.Length);
        Assert.All(spans, s =>
        {
            Assert.Equal("checkout", s.ServiceName);
            Assert.Equal("GET /cart", s.Name);
            Assert.Equal(SpanKind.Server, s.Kind);
            Assert.Equal(0.25, s.DurationSeconds, 6);
            Assert.Equal("/cart", s.Attributes["http.route"]);
            Assert.Equal("gold", s.Attributes["tier"]);
            Assert.Equal("server", s.Attributes["span.kind"]);
            Assert.Equal(source.Name, s.ScopeName);
        });
        Assert.Equal(4, spans.Count(s => s.StatusCode == SpanStatusCode.Ok && s.Attributes["http.response.status_code"] == "200"));
        Assert.Equal(1, spans.Count(s => s.StatusCode == SpanStatusCode.Error && s.Attributes["http.response.status_code"] == "500"));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task CumulativeMetricsExportedByTheDotnetSdkReachTheSinkAsExactDeltas(OtlpExportProtocol protocol)
    {
        await using var host = await IngestHost.StartAsync();
        using var meter = new Meter("dotnet-sdk-test-" + protocol);
        var counter = meter.CreateCounter<long>("requests");
        var histogram = meter.CreateHistogram<double>("latency", unit: "s");
        var exponential = meter.CreateHistogram<double>("latency.exp", unit: "s");
        var gauge = meter.CreateGauge<double>("queue.depth");
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("checkout"))
            .AddMeter(meter.Name)
            .AddView("latency", new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 0.5, 1] })
            .AddView("latency.exp", new Base2ExponentialBucketHistogramConfiguration { MaxSize = 160 })
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o, host, protocol, "/v1/metrics");
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build())
        {
            counter.Add(7, new KeyValuePair<string, object?>("route", "/cart"));
            histogram.Record(0.05);
            histogram.Record(0.3);
            exponential.Record(0.2);
            exponential.Record(0.4);
            gauge.Record(12.5);
            Assert.True(provider.ForceFlush(10_000));

            counter.Add(5, new KeyValuePair<string, object?>("route", "/cart"));
            histogram.Record(2);
            exponential.Record(0.8);
            gauge.Record(3);
            Assert.True(provider.ForceFlush(10_000));
        }

        var points = host.Sink.Points.ToArray();
        var requests = points.Where(p => p.MetricName == "requests").ToArray();
        Assert.All(requests, p => Assert.Equal("/cart", p.Attributes["route"]));
        Assert.Equal(new[] { 7.0, 5.0 }, requests.Take(2).Select(p => p.Value));
        Assert.Equal(12.0, requests.Sum(p => p.Value));
        Assert.All(requests, p => Assert.True(p.IsMonotonic));

        var latency = points.Where(p => p.MetricName == "latency").ToArray();
        Assert.Equal(new[] { 0.1, 0.5, 1 }, latency[0].ExplicitBounds);
        Assert.Equal(new ulong[] { 1, 1, 0, 0 }, latency[0].BucketCounts);
        Assert.Equal(2, latency[0].Count);
        Assert.Equal(0.35, latency[0].Sum, 9);
        Assert.Equal(new ulong[] { 0, 0, 0, 1 }, latency[1].BucketCounts);
        Assert.Equal(1, latency[1].Count);
        Assert.Equal(2, latency[1].Sum, 9);
        Assert.Equal(3, latency.Sum(p => p.Count));

        var exp = points.Where(p => p.MetricName == "latency.exp").ToArray();
        Assert.Equal(MetricPointKind.ExponentialHistogram, exp[0].Kind);
        Assert.Equal(2, exp[0].Count);
        Assert.Equal(2ul, exp[0].PositiveBucketCounts.Aggregate(0ul, (a, b) => a + b));
        Assert.Equal(1, exp[1].Count);
        Assert.Equal(1ul, exp[1].PositiveBucketCounts.Aggregate(0ul, (a, b) => a + b));
        Assert.Equal(0.8, exp[1].Sum, 9);
        Assert.Equal(3, exp.Sum(p => p.Count));

        var depth = points.Where(p => p.MetricName == "queue.depth").ToArray();
        Assert.Equal(MetricPointKind.Gauge, depth[0].Kind);
        Assert.Equal(new[] { 12.5, 3.0 }, depth.Take(2).Select(p => p.Value));
    }

    private static void Configure(OtlpExporterOptions options, IngestHost host, OtlpExportProtocol protocol, string path)
    {
        options.Protocol = protocol;
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.GrpcAddress : new Uri(host.HttpAddress, path);
        options.ExportProcessorType = ExportProcessorType.Batch;
        options.TimeoutMilliseconds = 10_000;
    }
}
