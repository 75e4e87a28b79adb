using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SloMonitor.Otlp;
using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Gates;
using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Reports;
using SloMonitor.Storage;

namespace SloMonitor.Slos;

public static class SloServiceCollectionExtensions
{
    /// <summary>
    /// Registers every tenant's SLO engine and definition catalog (<see cref="SloTenants"/>), the definition store, the
    /// file loader, the series checkpointer and the evaluation loop (hosted services) and the SLO metrics. Needs a <see cref="TimeProvider"/>
    /// and an <see cref="NpgsqlDataSource"/> in the container.
    /// </summary>
    public static IServiceCollection AddSlos(this IServiceCollection services, IConfiguration slosSection)
    {
        ArgumentNullException.ThrowIfNull(slosSection);
        var options = slosSection.Get<SloOptions>() ?? new SloOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddHttpContextAccessor();
        services.AddSingleton<SloTenants>();

        // In a request, the engine and catalog of the caller's tenant (its token's tenant claim); outside one, the
        // default tenant's. Background work goes through SloTenants, which holds every tenant.
        services.AddScoped(sp => RequestTenant(sp).Engine);
        services.AddScoped(sp => RequestTenant(sp).Catalog);
        services.AddSingleton(sp => new TenantSinks(tenant => sp.GetRequiredService<SloTenants>().For(tenant).Engine, sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>()));
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

    private static SloTenant RequestTenant(IServiceProvider services)
    {
        var tenants = services.GetRequiredService<SloTenants>();
        var user = services.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>().HttpContext?.User;
        return user?.FindFirst(Tenants.ClaimType)?.Value is { Length: > 0 } tenant ? tenants.For(tenant) : tenants.Default;
    }
}
