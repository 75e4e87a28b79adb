using System.Net;
using System.Text;
using Prometheus;
using SloMonitor.Ingest.Tests.Support;

namespace SloMonitor.Ingest.Tests.Transport;

/// <summary>Accepted, rejected and per-request counts on /metrics, and partial success answered in the request's encoding.</summary>
[Collection(IngestMetricsCollection.Name)]
public sealed class IngestMetricsTests
{
    [Fact]
    public async Task AcceptedRejectedAndRequestCountsAreExportedWithTheirLabels()
    {
        await using var host = await IngestHost.StartAsync();
        using var client = host.CreateHttpClient();
        var accepted = IngestMetrics.Accepted.WithLabels(Signals.Traces).Value;
        var rejected = IngestMetrics.Rejected.WithLabels(Signals.Traces).Value;
        var partial = IngestMetrics.Requests.WithLabels(Signals.Http, Signals.Traces, "partial_success").Value;
        var invalid = IngestMetrics.Requests.WithLabels(Signals.Http, Signals.Traces, "invalid").Value;

        var json = Payloads.ValidTracesJson().Replace("\"resourceSpans\":[", "\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"orphan\"}]}]},", StringComparison.Ordinal);
        using var response = await client.PostAsync("/v1/traces", Payloads.Content(Encoding.UTF8.GetBytes(json), "application/json"));
        using var bad = await client.PostAsync("/v1/traces", Payloads.Content([0x08, 0x01], "application/x-protobuf"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answer = Google.Protobuf.JsonParser.Default.Parse<Otlp.Collector.Trace.ExportTraceServiceResponse>(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedSpans);
        Assert.Contains("service.name", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);

        Assert.Equal(1, IngestMetrics.Accepted.WithLabels(Signals.Traces).Value - accepted);
        Assert.Equal(1, IngestMetrics.Rejected.WithLabels(Signals.Traces).Value - rejected);
        Assert.Equal(1, IngestMetrics.Requests.WithLabels(Signals.Http, Signals.Traces, "partial_success").Value - partial);
        Assert.Equal(1, IngestMetrics.Requests.WithLabels(Signals.Http, Signals.Traces, "invalid").Value - invalid);

        using var exposition = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(exposition);
        var text = Encoding.UTF8.GetString(exposition.ToArray());
        Assert.Contains("slomon_ingest_accepted_total{signal=\"traces\"}", text, StringComparison.Ordinal);
        Assert.Contains("slomon_ingest_rejected_total{signal=\"traces\"}", text, StringComparison.Ordinal);
        Assert.Contains("slomon_ingest_requests_total{transport=\"http\",signal=\"traces\",outcome=\"invalid\"}", text, StringComparison.Ordinal);
        Assert.Contains("slomon_ingest_in_flight_requests", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE slomon_ingest_throttled_total counter", text, StringComparison.Ordinal);
    }
}
