using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace SloMonitor.Hosting;

/// <summary>
/// Binds the three listeners: API/UI, OTLP/gRPC (HTTP/2 only) and OTLP/HTTP, with the connection limits of the
/// <c>SloMonitor:Limits</c> section on every one of them (slow or idle clients are cut off; see docs/configuration.md),
/// and TLS on every one of them when <c>SloMonitor:Tls</c> names a certificate (the certificate of the moment, so a
/// reloaded one is served without a restart).
/// </summary>
internal static class Listeners
{
    public static void Configure(KestrelServerOptions kestrel, ServiceOptions options, long maxRequestBodyBytes, ServerCertificate? tls = null)
    {
        var address = IPAddress.Parse(options.ListenAddress);
        kestrel.Listen(address, options.HttpPort, listen => Bind(listen, HttpProtocols.Http1, tls));
        kestrel.Listen(address, options.OtlpGrpcPort, listen => Bind(listen, HttpProtocols.Http2, tls));
        kestrel.Listen(address, options.OtlpHttpPort, listen => Bind(listen, HttpProtocols.Http1, tls));
        kestrel.Limits.MaxRequestBodySize = maxRequestBodyBytes;
        kestrel.AddServerHeader = false;
        var configuration = kestrel.ApplicationServices.GetService<IConfiguration>();
        ListenerLimits.Read(configuration?.GetSection(ListenerLimits.Section)).ApplyTo(kestrel.Limits);
    }

    private static void Bind(ListenOptions listen, HttpProtocols protocols, ServerCertificate? tls)
    {
        listen.Protocols = protocols;
        if (tls is null)
        {
            return;
        }

        List<SslApplicationProtocol> alpn = protocols == HttpProtocols.Http2 ? [SslApplicationProtocol.Http2] : [SslApplicationProtocol.Http11];
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = tls.Context,
                ApplicationProtocols = alpn,
                ClientCertificateRequired = false,
            }),
        });
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

/// <summary>
/// What every listener allows a client before it is cut off, from <c>SloMonitor:Limits</c>: the time to send its
/// request headers, the slowest body (bytes per second averaged after a grace period; 0 turns it off), the slowest
/// reading of a response, idle keep-alive time and the number of connections.
/// </summary>
internal sealed record ListenerLimits(
    TimeSpan RequestHeadersTimeout,
    double MinRequestBodyBytesPerSecond,
    TimeSpan MinRequestBodyGracePeriod,
    double MinResponseBytesPerSecond,
    TimeSpan MinResponseGracePeriod,
    TimeSpan KeepAliveTimeout,
    long? MaxConcurrentConnections)
{
    public const string Section = "SloMonitor:Limits";

    public static ListenerLimits Defaults { get; } = new(
        RequestHeadersTimeout: TimeSpan.FromSeconds(10),
        MinRequestBodyBytesPerSecond: 240,
        MinRequestBodyGracePeriod: TimeSpan.FromSeconds(5),
        MinResponseBytesPerSecond: 240,
        MinResponseGracePeriod: TimeSpan.FromSeconds(5),
        KeepAliveTimeout: TimeSpan.FromSeconds(130),
        MaxConcurrentConnections: null);

    public static ListenerLimits Read(IConfiguration? section)
    {
        var d = Defaults;
        if (section is null)
        {
            return d;
        }

        return new ListenerLimits(
            Duration(section, nameof(RequestHeadersTimeout), d.RequestHeadersTimeout),
            Rate(section, nameof(MinRequestBodyBytesPerSecond), d.MinRequestBodyBytesPerSecond),
            Duration(section, nameof(MinRequestBodyGracePeriod), d.MinRequestBodyGracePeriod),
            Rate(section, nameof(MinResponseBytesPerSecond), d.MinResponseBytesPerSecond),
            Duration(section, nameof(MinResponseGracePeriod), d.MinResponseGracePeriod),
            Duration(section, nameof(KeepAliveTimeout), d.KeepAliveTimeout),
            section[nameof(MaxConcurrentConnections)] is { Length: > 0 } text
                ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw Invalid(nameof(MaxConcurrentConnections), text, "a positive integer")
                : d.MaxConcurrentConnections);
    }

    public void ApplyTo(KestrelServerLimits limits)
    {
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyBytesPerSecond > 0 ? new MinDataRate(MinRequestBodyBytesPerSecond, MinRequestBodyGracePeriod) : null;
        limits.MinResponseDataRate = MinResponseBytesPerSecond > 0 ? new MinDataRate(MinResponseBytesPerSecond, MinResponseGracePeriod) : null;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MaxConcurrentConnections = MaxConcurrentConnections;
    }

    private static TimeSpan Duration(IConfiguration section, string key, TimeSpan fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        // Kestrel needs a grace period over one second and positive timeouts.
        var minimum = key.EndsWith("GracePeriod", StringComparison.Ordinal) ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > minimum
            ? value
            : throw Invalid(key, text, minimum > TimeSpan.Zero ? "a duration longer than 00:00:01" : "a positive duration such as 00:00:10");
    }

    private static double Rate(IConfiguration section, string key, double fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw Invalid(key, text, "a number of bytes per second (0 turns the limit off)");
    }

    private static StartupException Invalid(string key, string text, string expected) =>
        new($"{Section}:{key}: '{text}' is not {expected}");
}
