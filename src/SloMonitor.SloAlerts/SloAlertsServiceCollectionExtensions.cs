using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.SloAlerts;

public static class SloAlertsServiceCollectionExtensions
{
    /// <summary>
    /// Hands every evaluation round's burning, budget and no-data alerts to alerting, with links back to the SLO under
    /// <paramref name="externalUrl"/> and the attribution of why each fired. Needs the SLO and alerting services.
    /// </summary>
    public static IServiceCollection AddSloAlerts(this IServiceCollection services, string externalUrl)
    {
        services.AddSingleton(new PublisherOptions(externalUrl));
        services.AddSingleton<AlertAttribution>();
        services.AddSingleton<ISloEvaluationListener, SloAlertPublisher>();
        return services;
    }
}
