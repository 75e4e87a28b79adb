using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SloMonitor.Ingest;

public static class OtlpEndpoints
{
    /// <summary>OTLP/HTTP: POST /v1/traces, /v1/metrics, /v1/logs (protobuf or JSON, optionally gzip).</summary>
    public static IEndpointConventionBuilder MapOtlpHttp(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var handler = app.ServiceProvider.GetRequiredService<OtlpHttpHandler>();
        var group = app.MapGroup("/v1");
        group.MapPost("/traces", handler.Traces);
        group.MapPost("/metrics", handler.Metrics);
        group.MapPost("/logs", handler.Logs);
        return group;
    }

    /// <summary>OTLP/gRPC: the trace, metrics and logs collector services.</summary>
    public static IEndpointConventionBuilder MapOtlpGrpc(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new CompositeConventionBuilder(
        [
            app.MapGrpcService<OtlpTraceGrpcService>(),
            app.MapGrpcService<OtlpMetricsGrpcService>(),
            app.MapGrpcService<OtlpLogsGrpcService>(),
        ]);
    }

    private sealed class CompositeConventionBuilder(IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
