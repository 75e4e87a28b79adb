using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SloMonitor.Ingest;
using SloMonitor.Otlp;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>Kestrel on 127.0.0.1 ephemeral ports with the OTLP endpoints, as the service binds them (gRPC on HTTP/2 only).</summary>
internal sealed class LoopbackIngestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackIngestHost(WebApplication app, Uri grpc, Uri http)
    {
        _app = app;
        GrpcAddress = grpc;
        HttpAddress = http;
    }

    public Uri GrpcAddress { get; }

    public Uri HttpAddress { get; }

    public static async Task<LoopbackIngestHost> StartAsync(ITelemetrySink sink)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        builder.Services.AddSingleton(sink);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOtlpIngest();
        var app = builder.Build();
        app.MapOtlpGrpc();
        app.MapOtlpHttp();
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        return new LoopbackIngestHost(app, new Uri(addresses[0]), new Uri(addresses[1]));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
