using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Limits;

/// <summary>
/// Every listener cuts off clients that take too long to send their request headers or send their body below the
/// minimum rate (<c>SloMonitor:Limits</c>), so slow clients cannot hold connections for ever.
/// </summary>
public sealed class ListenerLimitsTests
{
    private static readonly Dictionary<string, string?> Tight = new()
    {
        ["SloMonitor:Limits:RequestHeadersTimeout"] = "00:00:02",
        ["SloMonitor:Limits:MinRequestBodyBytesPerSecond"] = "100",
        ["SloMonitor:Limits:MinRequestBodyGracePeriod"] = "00:00:02",
    };

    // Cut off after the 2 s limit and long before the 20 s the slow client would take; Kestrel checks the limits on
    // its 1 s heartbeat, and a busy machine delays that further, so the upper bound leaves room.
    private static readonly TimeSpan CutOffBy = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClientsThatSendHeadersOrBodiesTooSlowlyAreCutOffOnEveryListener()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = Tight });

        foreach (var (address, path) in new[] { (service.BaseAddress, "/api/v2/alerts"), (service.OtlpHttpEndpoint, "/v1/traces") })
        {
            var headers = await TimeUntilClosedAsync(address, $"POST {path} HTTP/1.1\r\nHost: x\r\n");
            Assert.True(headers > TimeSpan.FromSeconds(1.5) && headers < CutOffBy, $"headers sent slowly to {address} were cut off after {headers}");
            // With a valid token and its content type, so that the request gets as far as reading its body.
            var type = address == service.BaseAddress ? "application/json" : "application/x-protobuf";
            var body = await TimeUntilClosedAsync(address, $"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TestTokens.For(address)}\r\nContent-Type: {type}\r\nContent-Length: 100000\r\n\r\n");
            Assert.True(body > TimeSpan.FromSeconds(1.5) && body < CutOffBy, $"a body sent slowly to {address} was cut off after {body}");
        }

        var grpc = await TimeUntilGrpcStreamEndsAsync(service.OtlpGrpcEndpoint);
        Assert.InRange(grpc, TimeSpan.FromSeconds(1.5), CutOffBy);

        // The service still answers at once (an empty export: 400 naming the problem).
        using var http = new HttpClient { BaseAddress = service.OtlpHttpEndpoint }.Authorized(service.OtlpHttpEndpoint);
        using var ok = await http.PostAsync("/v1/traces", new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf") } });
        Assert.Equal(HttpStatusCode.BadRequest, ok.StatusCode);
    }

    [Fact]
    public async Task AnUnworkableListenerLimitStopsStartUpNamingTheSetting()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = new() { ["SloMonitor:Limits:MinRequestBodyGracePeriod"] = "00:00:00.5" } });
        });
        Assert.Contains("SloMonitor:Limits:MinRequestBodyGracePeriod", e.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="start"/> and then a byte a second until the service closes the connection.</summary>
    private static async Task<TimeSpan> TimeUntilClosedAsync(Uri address, string start)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        var took = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(start));
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reading = stream.ReadAsync(buffer, deadline.Token).AsTask();
        try
        {
            while (!reading.IsCompleted)
            {
                await Task.WhenAny(reading, Task.Delay(1000, deadline.Token));
                if (!reading.IsCompleted)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("a"), deadline.Token);
                }
            }

            // An answer (408 or 400) or the end of the stream: either way the service gave up on the client.
            while (await reading > 0)
            {
                reading = stream.ReadAsync(buffer, deadline.Token).AsTask();
            }
        }
        catch (IOException)
        {
            // Reset by the service.
        }

        return took.Elapsed;
    }

    private static async Task<TimeSpan> TimeUntilGrpcStreamEndsAsync(Uri address)
    {
        using var client = new HttpClient().Authorized(address);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new Trickle(),
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        var took = Stopwatch.StartNew();
        try
        {
            using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(20));
            await response.Content.ReadAsByteArrayAsync();
        }
        catch (HttpRequestException)
        {
            // The stream was reset.
        }

        return took.Elapsed;
    }

    private sealed class Trickle : HttpContent
    {
        public Trickle() => Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await stream.WriteAsync(new byte[] { 0, 0, 0, 3, 232 }, stop.Token);
            await stream.FlushAsync(stop.Token);
            while (true)
            {
                await Task.Delay(1000, stop.Token);
                await stream.WriteAsync(new byte[1], stop.Token);
                await stream.FlushAsync(stop.Token);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
