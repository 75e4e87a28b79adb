using System.Diagnostics;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Hosting;

/// <summary>The <c>Telemetry</c> section: where SloMonitor sends its own traces.</summary>
internal sealed class SelfTelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>An OTLP endpoint (<c>http://collector:4318</c>) for the service's own traces; empty: none are sent.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary><c>http/protobuf</c> or <c>grpc</c>.</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>Headers for the exporter, as <c>OTEL_EXPORTER_OTLP_HEADERS</c> writes them: <c>key=value,key2=value2</c>.</summary>
    public string OtlpHeaders { get; set; } = "";

    /// <summary>Send the traces to this service's own OTLP/HTTP port, so that SLOs on SloMonitor itself can be evaluated.</summary>
    public bool Dogfood { get; set; }

    /// <summary>Share of OTLP export requests received that are traced (API requests, notifications, database commands, rounds: all).</summary>
    public double OtlpRequestSampleRatio { get; set; } = 0.01;
}

/// <summary>
/// SloMonitor's own traces, with <c>service.name=slomonitor</c> and its version: API and OTLP requests (ASP.NET Core;
/// OTLP ones sampled by <c>Telemetry:OtlpRequestSampleRatio</c>), outgoing notifications (HttpClient), PostgreSQL
/// commands (Npgsql), evaluation rounds and checkpoints. Off unless an endpoint is configured or
/// <c>Telemetry:Dogfood</c> is on. The service's export of its own spans carries a header that keeps the requests it
/// makes into its own OTLP port from being traced, so dogfooding cannot feed itself.
/// </summary>
internal static class SelfTelemetry
{
    public const string ServiceName = "slomonitor";

    /// <summary>Marks the service's own export requests; requests carrying it are never traced.</summary>
    public const string SelfHeader = "x-slomonitor-self-telemetry";

    public static string Version { get; } =
        typeof(SelfTelemetry).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute { InformationalVersion: { } version }, ..] ? version.Split('+')[0] : "0.0.0";

    public static void Add(WebApplicationBuilder builder, ServiceOptions service, ServerCertificate? tls = null)
    {
        var options = builder.Configuration.GetSection(SelfTelemetryOptions.Section).Get<SelfTelemetryOptions>() ?? new SelfTelemetryOptions();
        if (options.OtlpRequestSampleRatio is < 0 or > 1 || double.IsNaN(options.OtlpRequestSampleRatio))
        {
            throw new StartupException($"Telemetry:OtlpRequestSampleRatio must be between 0 and 1, found {options.OtlpRequestSampleRatio}");
        }

        var endpoint = options.Dogfood
            ? new Uri($"{(tls is null ? "http" : "https")}://127.0.0.1:{service.OtlpHttpPort}")
            : options.OtlpEndpoint.Length == 0 ? null
            : Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var configured) && configured.Scheme is "http" or "https" ? configured
            : throw new StartupException($"Telemetry:OtlpEndpoint must be an http or https address, found '{options.OtlpEndpoint}'");
        if (endpoint is null)
        {
            return;
        }

        var grpc = !options.Dogfood && options.OtlpProtocol == "grpc";
        if (!grpc && !options.Dogfood && options.OtlpProtocol != "http/protobuf")
        {
            throw new StartupException($"Telemetry:OtlpProtocol must be http/protobuf or grpc, found '{options.OtlpProtocol}'");
        }

        var otlpPorts = new[] { service.OtlpGrpcPort, service.OtlpHttpPort };
        var headers = options.Dogfood ? $"{SelfHeader}=1,Authorization=Bearer {SelfIngestToken(builder)}" : options.OtlpHeaders;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: Version, serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                .AddSource(SloTelemetry.SourceName, Alerting.Delivery.AlertingTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => Traced(context, otlpPorts, options.OtlpRequestSampleRatio))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(exporter =>
                {
                    exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    exporter.Endpoint = grpc ? endpoint : new Uri(endpoint, "/v1/traces");
                    exporter.Headers = headers;
                    if (options.Dogfood && tls is not null)
                    {
                        // Its own listener over TLS: the certificate trusted is the one it serves, whatever its names.
                        exporter.HttpClientFactory = () => new HttpClient(new SocketsHttpHandler
                        {
                            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == tls.Current.Thumbprint },
                        });
                    }
                }));
    }

    /// <summary>
    /// The token of the service's export to itself: made at start, held in memory only, with the ingest scope alone,
    /// so dogfooding needs no token to be created.
    /// </summary>
    private static string SelfIngestToken(WebApplicationBuilder builder)
    {
        var secret = Auth.ApiToken.Create();
        builder.Services.AddSingleton(new Auth.InternalToken(secret, ServiceName + "-self", [Auth.Scopes.Ingest]));
        return secret;
    }

    /// <summary>Health checks and scrapes are not traced; OTLP requests are, by the sample ratio (decided by trace id).</summary>
    private static bool Traced(HttpContext context, int[] otlpPorts, double ratio)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics")
            || context.Request.Headers.ContainsKey(SelfHeader))
        {
            return false;
        }

        if (Array.IndexOf(otlpPorts, context.Connection.LocalPort) < 0)
        {
            return true;
        }

        // The low 8 bytes of the trace id are random: below ratio × 2^63 keeps that share of traces.
        var traceId = Activity.Current?.TraceId.ToHexString();
        return traceId is not null && ulong.TryParse(traceId.AsSpan(16), System.Globalization.NumberStyles.HexNumber, null, out var low)
            && (low >> 1) < (ulong)(ratio * long.MaxValue);
    }
}
