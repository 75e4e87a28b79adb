using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// Registers OTLP ingest: options bound from the "Ingest" section (then <paramref name="configure"/>), the
    /// ingest pipeline and the gRPC services. The host registers a <see cref="TenantSinks"/> (or one <see cref="ITelemetrySink"/> for every request) and, optionally, a
    /// <see cref="TimeProvider"/> (the system clock otherwise).
    /// </summary>
    public static IServiceCollection AddOtlpIngest(this IServiceCollection services, Action<IngestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            static o =>
            {
                o.Validate();
                return true;
            })
            .ValidateOnStart();

        services.TryAddSingleton(static provider => provider.GetService<TenantSinks>() is { } tenants
            ? new OtlpIngestor(tenants, provider.GetRequiredService<IOptions<IngestOptions>>().Value, provider.GetService<TimeProvider>() ?? TimeProvider.System)
            : new OtlpIngestor(
                provider.GetRequiredService<ITelemetrySink>(),
                provider.GetRequiredService<IOptions<IngestOptions>>().Value,
                provider.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton(static provider => new IngestGate(provider.GetRequiredService<IOptions<IngestOptions>>().Value));
        services.TryAddSingleton<OtlpHttpHandler>();
        services.TryAddSingleton<GrpcExport>();
        services.TryAddSingleton<OtlpTraceGrpcService>();
        services.TryAddSingleton<OtlpMetricsGrpcService>();
        services.TryAddSingleton<OtlpLogsGrpcService>();

        services.AddGrpc();
        ConfigureGrpcLimit<OtlpTraceGrpcService>(services);
        ConfigureGrpcLimit<OtlpMetricsGrpcService>(services);
        ConfigureGrpcLimit<OtlpLogsGrpcService>(services);
        return services;
    }

    private static void ConfigureGrpcLimit<TService>(IServiceCollection services)
        where TService : class =>
        services.AddOptions<GrpcServiceOptions<TService>>()
            .Configure<IOptions<IngestOptions>>(static (grpc, ingest) =>
            {
                grpc.MaxReceiveMessageSize = ingest.Value.MaxBodyBytes;
                grpc.EnableDetailedErrors = false;
            });
}
