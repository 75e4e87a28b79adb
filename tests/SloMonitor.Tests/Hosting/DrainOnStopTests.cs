using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Resource;
using SloMonitor.Otlp.Trace;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Hosting;

/// <summary>What a collector sees when the service is stopped (a rolling deploy) while it is sending a batch.</summary>
public sealed class DrainOnStopTests
{
    [Fact]
    public async Task AnExportInFlightWhenTheServiceIsToldToStopIsStillTakenBeforeItExits()
    {
        await using var database = await TestDatabase.CreateAsync();
        var httpPort = TestService.FreePort();
        var otlpHttpPort = TestService.FreePort();
        using var process = ServiceProcess.Start(ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort, otlpHttpPort));
        await process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));

        // The body goes out in two halves: the service is told to stop between them.
        var firstHalfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sendTheRest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TestTokens.CreateAsync(database.ConnectionString, "drain", "admin"));
        using var content = new TwoHalves(Batch(), firstHalfSent, sendTheRest.Task);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var answer = http.PostAsync(new Uri($"http://127.0.0.1:{otlpHttpPort}/v1/traces"), content);
        await firstHalfSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await InFlightAsync(http, httpPort);

        process.Signal("TERM");
        await process.WaitForOutputAsync("Application is shutting down", TimeSpan.FromSeconds(30));
        Assert.False(process.HasExited, "the service exited with a request still in flight");
        sendTheRest.SetResult();

        using var response = await answer;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var taken = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, taken.PartialSuccess?.RejectedSpans ?? 0);
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Waits until the service holds bytes of the export's body (it has read the headers and waits for the rest).</summary>
    private static async Task InFlightAsync(HttpClient http, int httpPort)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!System.Text.RegularExpressions.Regex.IsMatch(
            await http.GetStringAsync(new Uri($"http://127.0.0.1:{httpPort}/metrics")), @"^slomon_ingest_in_flight_bytes [1-9]", System.Text.RegularExpressions.RegexOptions.Multiline))
        {
            Assert.True(DateTime.UtcNow < deadline, "the service never counted the export as in flight");
            await Task.Delay(20);
        }
    }

    private static byte[] Batch()
    {
        var end = (ulong)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
        var scope = new ScopeSpans();
        for (var i = 0; i < 200; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                SpanId = ByteString.CopyFrom(BitConverter.GetBytes((long)i + 1)),
                Name = "GET /api/pay",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = end - 20_000_000,
                EndTimeUnixNano = end,
            });
        }

        var resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } } } };
        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { scope } } } }.ToByteArray();
    }

    /// <summary>A body whose second half is sent only once <paramref name="rest"/> completes.</summary>
    private sealed class TwoHalves(byte[] body, TaskCompletionSource firstHalfSent, Task rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            firstHalfSent.TrySetResult();
            await rest;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
