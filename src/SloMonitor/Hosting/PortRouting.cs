namespace SloMonitor.Hosting;

/// <summary>
/// Keeps each listener to its own job, by the local port a request arrived on: OTLP/gRPC services only on the gRPC
/// port, <c>/v1/…</c> only on the OTLP/HTTP port, everything else (API, UI, metrics, health) only on the HTTP port.
/// Anything else is 404, as if the route did not exist there.
/// </summary>
internal static class PortRouting
{
    private const string GrpcPrefix = "/opentelemetry.proto.collector.";

    public static void UsePortRouting(this WebApplication app, ServiceOptions options) =>
        app.Use(async (context, next) =>
        {
            var port = context.Connection.LocalPort;
            var path = context.Request.Path.Value ?? "";
            var otlpHttp = path.StartsWith("/v1/", StringComparison.Ordinal);
            var grpc = path.StartsWith(GrpcPrefix, StringComparison.Ordinal);
            var allowed = port == options.OtlpGrpcPort ? grpc
                : port == options.OtlpHttpPort ? otlpHttp
                : !otlpHttp && !grpc;
            if (allowed)
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
        });
}
