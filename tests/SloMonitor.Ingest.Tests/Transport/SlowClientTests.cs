using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using SloMonitor.Ingest.Tests.Support;

namespace SloMonitor.Ingest.Tests.Transport;

/// <summary>
/// Clients that send their headers and then a byte a second (slowloris uploads) hold neither a request slot nor
/// much memory: exporters that send at a normal speed are answered as if they were not there.
/// </summary>
[Collection(IngestMetricsCollection.Name)]
public sealed class SlowClientTests
{
    private const int HttpTricklers = 150;
    private const int GrpcTricklers = 50;
    private static int s_grpcStarted;

    [Fact]
    public async Task TwoHundredTricklingUploadsDoNotKeepANormalExporterFromBeingAnsweredWithinOneSecond()
    {
        // The default limit of 64 requests in flight, far fewer than the trickling clients; no minimum body rate, so
        // the service does not cut them off while the exporter sends (the listeners' rate limit is tested elsewhere).
        s_grpcStarted = 0;
        await using var host = await IngestHost.StartAsync(kestrelLimits: kestrel => kestrel.Limits.MinRequestBodyDataRate = null);
        using var stop = new CancellationTokenSource();
        using var grpcTrickleClient = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        var tricklers = new List<Task>();
        for (var i = 0; i < HttpTricklers; i++)
        {
            tricklers.Add(TrickleHttpAsync(host.HttpAddress, stop.Token));
        }

        for (var i = 0; i < GrpcTricklers; i++)
        {
            tricklers.Add(TrickleGrpcAsync(grpcTrickleClient, host.GrpcAddress, stop.Token));
        }

        // Every HTTP trickler is being read once the service holds its first buffer (16 KiB); every gRPC trickler
        // has sent its headers and the first bytes of its message.
        await WaitUntilAsync(() => host.BytesInFlight >= HttpTricklers * 16 * 1024 && Volatile.Read(ref s_grpcStarted) >= GrpcTricklers, TimeSpan.FromSeconds(30));

        using var http = host.CreateHttpClient();
        using var grpc = new RawGrpc(host.GrpcAddress);
        var slowest = TimeSpan.Zero;
        var exports = 0;
        var window = Stopwatch.StartNew();
        while (window.Elapsed < TimeSpan.FromSeconds(3))
        {
            var took = Stopwatch.StartNew();
            using (var response = await http.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(2), "application/x-protobuf")))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            var (code, detail, _, _) = await grpc.ExportAsync("trace", Payloads.ValidTraces(2));
            Assert.True(code == StatusCode.OK, $"gRPC export answered {code}: {detail}");
            slowest = took.Elapsed > slowest ? took.Elapsed : slowest;
            Assert.True(took.Elapsed < TimeSpan.FromSeconds(1), $"an HTTP and a gRPC export took {took.Elapsed.TotalMilliseconds:F0} ms together");
            exports++;
            await Task.Delay(100);
        }

        Assert.True(exports >= 5, $"only {exports} exports were tried while the tricklers were connected");
        Assert.Equal(4 * exports, host.Sink.Spans.Count);
        await stop.CancelAsync();
        await Task.WhenAll(tricklers);
    }

    [Fact]
    public async Task BodyBytesHeldAcrossRequestsAreBoundedAndAnExportOverTheBudgetIsToldToRetry()
    {
        await using var host = await IngestHost.StartAsync(o =>
        {
            o.MaxBodyBytes = 60_000;
            o.MaxBytesInFlight = 240_000;
        });
        using var stop = new CancellationTokenSource();

        // Slow uploads that already sent 40,000 bytes each (a buffer grown 16 → 32 → 64 KiB): three of them take most of
        // the budget. One after the other: three growing at once would briefly hold both buffers each, over the budget.
        var holders = new List<Task>();
        for (var i = 1; i <= 3; i++)
        {
            holders.Add(TrickleHttpAsync(host.HttpAddress, stop.Token, firstBytes: 40_000, declaredLength: 59_000));
            var held = i * 65_536;
            await WaitUntilAsync(() => host.BytesInFlight >= held, TimeSpan.FromSeconds(20));
        }

        Assert.InRange(host.BytesInFlight, 3 * 65_536, 240_000);

        using var http = host.CreateHttpClient();
        using var response = await http.PostAsync("/v1/traces", Payloads.Content(new byte[50_000], "application/x-protobuf"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        var status = SloMonitor.Otlp.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("Ingest:MaxBytesInFlight", status.Message, StringComparison.Ordinal);

        await stop.CancelAsync();
        await Task.WhenAll(holders);
        await WaitUntilAsync(() => host.BytesInFlight == 0, TimeSpan.FromSeconds(20));
        using var after = await http.PostAsync("/v1/traces", Payloads.Content(Payloads.ValidTraces(1), "application/x-protobuf"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    /// <summary>An HTTP/1.1 upload that declares a large body, sends <paramref name="firstBytes"/> and then a byte a second.</summary>
    private static async Task TrickleHttpAsync(Uri address, CancellationToken stop, int firstBytes = 1, int declaredLength = 1_000_000)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(address.Host, address.Port, stop);
            var stream = tcp.GetStream();
            var headers = $"POST /v1/traces HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/x-protobuf\r\nContent-Length: {declaredLength}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), stop);
            await stream.WriteAsync(new byte[firstBytes], stop);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
                await stream.WriteAsync(new byte[1], stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            // Stopped by the test, or cut off by the service (minimum body rate).
        }
    }

    /// <summary>A gRPC Export call over HTTP/2 whose message declares 1000 bytes and arrives a byte a second.</summary>
    private static async Task TrickleGrpcAsync(HttpClient client, Uri address, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new TrickleContent(stop),
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            // Stopped by the test, or cut off by the service.
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < timeout, $"the condition was not met within {timeout}");
            await Task.Delay(20);
        }
    }

    private sealed class TrickleContent : HttpContent
    {
        private readonly CancellationToken _stop;

        public TrickleContent(CancellationToken stop)
        {
            _stop = stop;
            Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // The gRPC frame header (not compressed, 1000 bytes), then the message a byte a second.
            await stream.WriteAsync(new byte[] { 0, 0, 0, 3, 232, 0x0A }, _stop);
            await stream.FlushAsync(_stop);
            Interlocked.Increment(ref s_grpcStarted);
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _stop);
                await stream.WriteAsync(new byte[1], _stop);
                await stream.FlushAsync(_stop);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
