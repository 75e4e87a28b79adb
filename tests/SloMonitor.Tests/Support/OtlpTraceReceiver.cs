using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Testing;

/// <summary>An OTLP/HTTP trace receiver on loopback that keeps every span it is sent, with its resource's attributes.</summary>
internal sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(Dictionary<string, string> Resource, Span Span)> _spans = [];

    private OtlpTraceReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<(Dictionary<string, string> Resource, Span Span)> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var port = TestService.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var export = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
            lock (receiver._spans)
            {
                foreach (var resourceSpans in export.ResourceSpans)
                {
                    var resource = resourceSpans.Resource.Attributes.ToDictionary(a => a.Key, a => a.Value.StringValue);
                    foreach (var span in resourceSpans.ScopeSpans.SelectMany(s => s.Spans))
                    {
                        receiver._spans.Add((resource, span));
                    }
                }
            }

            return Results.Bytes(new ExportTraceServiceResponse().ToByteArray(), "application/x-protobuf");
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until a span satisfies <paramref name="match"/> and returns it.</summary>
    public async Task<(Dictionary<string, string> Resource, Span Span)> WaitForAsync(Func<Span, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = Spans.FirstOrDefault(s => match(s.Span));
            if (found.Span is not null)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no such span within {timeout}; received: {string.Join(", ", Spans.Select(s => s.Span.Name).Distinct())}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class SpanAttributes
{
    public static string? Attribute(this Span span, string key) =>
        span.Attributes.FirstOrDefault(a => a.Key == key)?.Value is { } value
            ? value.HasStringValue ? value.StringValue : value.HasIntValue ? value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : value.ToString()
            : null;
}
