using System.Net;
using Grpc.Core;
using SloMonitor.Otlp.Rpc;
using SloMonitor.Ingest.Tests.Support;

namespace SloMonitor.Ingest.Tests.Transport;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IngestMetricsCollection
{
    public const string Name = "Ingest metrics (process-wide counters)";
}

/// <summary>
/// A full pipeline answers with retryable throttling statuses (never silent loss): HTTP 429/503 with Retry-After,
/// gRPC RESOURCE_EXHAUSTED/UNAVAILABLE with google.rpc.RetryInfo; the blocked request is still applied in full.
/// </summary>
[Collection(IngestMetricsCollection.Name)]
public sealed class BackpressureTests
{
    private const string Protobuf = "application/x-protobuf";

    [Fact]
    public async Task WhenTooManyRequestsAreInFlightHttpAnswers429WithRetryAfterAndGrpcResourceExhaustedWithRetryInfo()
    {
        await using var host = await IngestHost.StartAsync(o =>
        {
            o.MaxInFlightRequests = 1;
            o.RetryAfter = TimeSpan.FromSeconds(2);
        });
        using var blocker = new SinkBlocker(host.Sink);
        using var client = host.CreateHttpClient();
        using var grpc = new RawGrpc(host.GrpcAddress);
        var throttledBefore = IngestMetrics.Throttled.WithLabels(Signals.Traces).Value;

        var first = client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(3), Protobuf));
        blocker.WaitUntilEntered();

        using (var throttled = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(1), Protobuf)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), throttled.Headers.RetryAfter?.Delta);
        }

        var (code, _, trailers, _) = await grpc.ExportAsync("trace", Payloads.ValidTraces(1));
        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.Equal(TimeSpan.FromSeconds(2), RetryDelay(trailers));

        blocker.Release();
        using (var response = await first)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, host.Sink.Spans.Count);
        Assert.Equal(2, IngestMetrics.Throttled.WithLabels(Signals.Traces).Value - throttledBefore);
    }

    [Fact]
    public async Task WhenThePipelineHasNoRoomForMoreItemsHttpAnswers503AndGrpcUnavailableBothRetryable()
    {
        await using var host = await IngestHost.StartAsync(o => o.MaxInFlightItems = 10);
        using var blocker = new SinkBlocker(host.Sink);
        using var client = host.CreateHttpClient();
        using var grpc = new RawGrpc(host.GrpcAddress);

        var first = client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(8), Protobuf));
        blocker.WaitUntilEntered();

        using (var throttled = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(5), Protobuf)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, throttled.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.Delta);
        }

        var (code, _, trailers, _) = await grpc.ExportAsync("trace", Payloads.ValidTraces(5));
        Assert.Equal(StatusCode.Unavailable, code);
        Assert.Equal(TimeSpan.FromSeconds(1), RetryDelay(trailers));

        blocker.Release();
        (await first).Dispose();
        using var after = await client.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(5), Protobuf));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(13, host.Sink.Spans.Count);
    }

    private static TimeSpan RetryDelay(Metadata trailers)
    {
        var details = trailers.GetValueBytes("grpc-status-details-bin") ?? throw new InvalidOperationException("no grpc-status-details-bin trailer");
        var status = SloMonitor.Otlp.Rpc.Status.Parser.ParseFrom(details);
        var any = Assert.Single(status.Details);
        return any.Unpack<RetryInfo>().RetryDelay.ToTimeSpan();
    }

    /// <summary>Holds the first event in the sink until released, so a request stays in flight.</summary>
    private sealed class SinkBlocker : IDisposable
    {
        private readonly ManualResetEventSlim _entered = new();
        private readonly ManualResetEventSlim _release = new();

        public SinkBlocker(CapturingSink sink) => sink.OnEvent = () =>
        {
            _entered.Set();
            if (!_release.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the test never released the sink");
            }
        };

        public void WaitUntilEntered() => Assert.True(_entered.Wait(TimeSpan.FromSeconds(30)), "no request reached the sink");

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _entered.Dispose();
            _release.Dispose();
        }
    }
}
