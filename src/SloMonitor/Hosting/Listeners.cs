using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SloMonitor.Hosting;

/// <summary>Binds the three listeners: API/UI, OTLP/gRPC (HTTP/2 cleartext only) and OTLP/HTTP.</summary>
internal static class Listeners
{
    public static void Configure(KestrelServerOptions kestrel, ServiceOptions options, long maxRequestBodyBytes)
    {
        var address = IPAddress.Parse(options.ListenAddress);
        kestrel.Listen(address, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        kestrel.Listen(address, options.OtlpGrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        kestrel.Listen(address, options.OtlpHttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        kestrel.Limits.MaxRequestBodySize = maxRequestBodyBytes;
        kestrel.AddServerHeader = false;
    }

    /// <summary>Fails start-up with one clear line when a configured port is taken, before Kestrel tries it.</summary>
    public static void EnsurePortsFree(ServiceOptions options)
    {
        var address = IPAddress.Parse(options.ListenAddress);
        foreach (var (port, setting) in new[] { (options.HttpPort, "HttpPort"), (options.OtlpGrpcPort, "OtlpGrpcPort"), (options.OtlpHttpPort, "OtlpHttpPort") })
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException e)
            {
                throw new StartupException($"cannot listen on {address}:{port} (SloMonitor:{setting}): {e.Message}", e);
            }
        }
    }
}
