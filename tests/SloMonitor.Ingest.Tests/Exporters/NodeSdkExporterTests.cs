using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest.Tests.Exporters;

/// <summary>
/// The OpenTelemetry JavaScript SDK exporters (http/json and http/protobuf), run by Node from the harness in node/,
/// so a second ecosystem's encoders — the OTLP JSON mapping included — are exercised against a real host.
/// </summary>
public sealed class NodeSdkExporterTests
{
    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task SpansAndMetricsExportedByTheJavaScriptSdkReachTheSinkExactly(string protocol)
    {
        var harness = await NodeHarness.EnsureInstalledAsync();
        await using var host = await IngestHost.StartAsync();

        var baseUrl = host.HttpAddress.ToString().TrimEnd('/');
        var (exitCode, output) = await ProcessRunner.RunAsync("node", $"export.mjs {baseUrl} {protocol}", harness, TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"node export.mjs exited with {exitCode}: {output}");

        var spans = host.Sink.Spans.ToDictionary(s => s.Name);
        Assert.Equal(3, host.Sink.Spans.Count);
        Assert.All(spans.Values, s =>
        {
            Assert.Equal("node-" + protocol, s.ServiceName);
            Assert.Equal("node-harness", s.ScopeName);
            Assert.Equal("test", s.Attributes["deployment.environment"]);
        });
        Assert.Equal(0.25, spans["GET /cart"].DurationSeconds, 6);
        Assert.Equal(SpanKind.Server, spans["GET /cart"].Kind);
        Assert.Equal(SpanStatusCode.Ok, spans["GET /cart"].StatusCode);
        Assert.Equal("/cart", spans["GET /cart"].Attributes["http.route"]);
        Assert.Equal("200", spans["GET /cart"].Attributes["http.response.status_code"]);
        Assert.Equal(1.5, spans["POST /checkout"].DurationSeconds, 6);
        Assert.Equal(SpanStatusCode.Error, spans["POST /checkout"].StatusCode);
        Assert.Equal("503", spans["POST /checkout"].Attributes["http.response.status_code"]);
        Assert.Equal(0.04, spans["charge"].DurationSeconds, 6);
        Assert.Equal(SpanKind.Client, spans["charge"].Kind);
        Assert.Equal(SpanStatusCode.Unset, spans["charge"].StatusCode);
        Assert.Equal("0", spans["charge"].Attributes["rpc.grpc.status_code"]);
        Assert.Equal("true", spans["charge"].Attributes["retry"]);
        Assert.Equal("0.5", spans["charge"].Attributes["ratio"]);

        var requests = host.Sink.Points.Where(p => p.MetricName == "node.requests").ToArray();
        Assert.Equal(7.0, requests[0].Value);
        Assert.Equal(5.0, requests[1].Value);
        Assert.Equal(12.0, requests.Sum(p => p.Value));
        Assert.All(requests, p => Assert.Equal("/cart", p.Attributes["route"]));

        var latency = host.Sink.Points.Where(p => p.MetricName == "node.latency").ToArray();
        Assert.Equal(new[] { 0.1, 0.5, 1 }, latency[0].ExplicitBounds);
        Assert.Equal(new ulong[] { 1, 1, 0, 0 }, latency[0].BucketCounts);
        Assert.Equal(new ulong[] { 0, 0, 0, 1 }, latency[1].BucketCounts);
        Assert.Equal(3, latency.Sum(p => p.Count));
        Assert.Equal(2.35, latency.Sum(p => p.Sum), 9);
    }
}
