using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SloMonitor.Ingest;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;

namespace SloMonitor.Slos;

public static class SloServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SLO engine (also as the <see cref="ITelemetrySink"/>), the definition catalog and store, the
    /// file loader, the series checkpointer and the evaluation loop (hosted services) and the SLO metrics. Needs a <see cref="TimeProvider"/>
    /// and an <see cref="NpgsqlDataSource"/> in the container.
    /// </summary>
    public static IServiceCollection AddSlos(this IServiceCollection services, IConfiguration slosSection)
    {
        ArgumentNullException.ThrowIfNull(slosSection);
        var options = slosSection.Get<SloOptions>() ?? new SloOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new SloEngine(sp.GetRequiredService<TimeProvider>(), options.ToEngineOptions()));
        services.AddSingleton<ITelemetrySink>(sp => sp.GetRequiredService<SloEngine>());
        services.AddSingleton<SloCatalog>();
        services.AddSingleton(sp => new SloDefinitionStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new GateOverrideStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new BudgetAdjustmentStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<BudgetAdjustmentLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<BudgetAdjustmentLoader>());
        services.AddSingleton<SloMetrics>();
        services.AddSingleton(sp => new SloStateStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new SloMonthSummaryStore(sp.GetRequiredService<NpgsqlDataSource>()));

        // Started in this order: definitions first, then their series from the checkpoint, then the loop.
        services.AddHostedService<SloDefinitionLoader>();
        services.AddHostedService<SloCheckpointer>();
        services.AddHostedService<SloEvaluationLoop>();
        services.AddHostedService<SloMonthSummaryWriter>();
        return services;
    }
}
