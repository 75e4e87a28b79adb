using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest.Tests.Support;

/// <summary>
/// A real Kestrel host on 127.0.0.1 ephemeral ports with the OTLP endpoints: an HTTP/2-only port for gRPC (as the
/// service binds :4317) and an HTTP/1.1 + HTTP/2 port for OTLP/HTTP (as :4318), which also serves /metrics.
/// </summary>
internal sealed class IngestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IngestHost(WebApplication app, CapturingSink sink, Uri grpc, Uri http)
    {
        _app = app;
        Sink = sink;
        GrpcAddress = grpc;
        HttpAddress = http;
    }

    public CapturingSink Sink { get; }

    /// <summary>Bytes of request bodies this host's ingest holds now.</summary>
    public long BytesInFlight => _app.Services.GetRequiredService<IngestGate>().BytesInFlight;

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public static async Task<IngestHost> StartAsync(Action<IngestOptions>? configure = null, TimeProvider? time = null, Action<KestrelServerOptions>? kestrelLimits = null)
    {
        var sink = new CapturingSink();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            kestrelLimits?.Invoke(kestrel);
        });
        builder.Services.AddSingleton<ITelemetrySink>(sink);
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddOtlpIngest(configure);

        var app = builder.Build();
        app.MapOtlpGrpc();
        app.MapOtlpHttp();
        app.MapMetrics();
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        return new IngestHost(app, sink, new Uri(addresses[0]), new Uri(addresses[1]));
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
