using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Spool;
using SloMonitor.Alerting.Views;

namespace SloMonitor.Alerting;

public static class AlertingServiceCollectionExtensions
{
    /// <summary>
    /// Registers alert ingestion, routing and grouping, the outbox delivery loop (a hosted service), the local spool
    /// used while PostgreSQL is away (its file defaults to <paramref name="dataDirectory"/>), the incident and silence
    /// stores, the metrics, and the Alertmanager API's view of alerts, routing and receivers. Needs
    /// <see cref="NpgsqlDataSource"/> and <see cref="TimeProvider"/> registered by the host. The routing file is
    /// read and validated when the services are first resolved.
    /// </summary>
    public static IServiceCollection AddAlerting(this IServiceCollection services, IConfiguration alertingSection, string? dataDirectory = null)
    {
        var options = AlertingOptions.Read(alertingSection, dataDirectory);
        services.AddSingleton(options);
        services.AddSingleton(sp => options.File is null
            ? AlertingConfig.Empty
            : AlertingConfigLoader.LoadFile(options.File));
        services.AddHttpClient(NotificationSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers(); // request URLs may carry secrets (Slack webhook URLs): keep them out of logs
        services.AddSingleton<AlertingMetrics>();
        services.AddSingleton(sp => new DatabaseOutage(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DatabaseOutage>>()));
        services.AddSingleton(sp => new NotificationSpool(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NotificationSpool>>()));
        services.AddSingleton(sp => new NotificationSender(
            sp.GetRequiredService<AlertingConfig>(), options, sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SpoolDispatcher(
            sp.GetRequiredService<NotificationSpool>(), sp.GetRequiredService<NotificationSender>(), options, sp.GetRequiredService<AlertingMetrics>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SpoolDispatcher>>()));
        services.AddSingleton(sp => new SpoolRecovery(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<NotificationSpool>(), sp.GetRequiredService<Dispatcher>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SpoolRecovery>>()));
        services.AddSingleton(sp => new AlertStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new OutboxStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new SilenceStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>())
        {
            ExpiredRetention = options.ExpiredSilenceRetention,
            MaxPerTenant = options.MaxSilencesPerTenant,
        });
        services.AddSingleton(sp => new IncidentStatistics(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new IncidentStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>())
        {
            AckTimeout = sp.GetRequiredService<AlertingConfig>().AckTimeout,
        });
        services.AddSingleton(sp => new MuteEvaluator(sp.GetRequiredService<SilenceStore>(), sp.GetRequiredService<AlertingConfig>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new Dispatcher(
            sp.GetRequiredService<AlertingConfig>(), options, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<AlertStore>(),
            sp.GetRequiredService<MuteEvaluator>(), sp.GetRequiredService<DatabaseOutage>(), sp.GetRequiredService<NotificationSpool>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Dispatcher>>()));
        services.AddSingleton(sp => new AlertIngestor(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Dispatcher>(), sp.GetRequiredService<NotificationSpool>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AlertIngestor>>())
        {
            MaxFiringPerTenant = options.MaxAlertsPerTenant,
        });
        services.AddSingleton(sp => new OutboxDispatcher(
            sp.GetRequiredService<OutboxStore>(), sp.GetRequiredService<NotificationSender>(), sp.GetRequiredService<NotificationSpool>(),
            sp.GetRequiredService<DatabaseOutage>(), options,
            sp.GetRequiredService<AlertingMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OutboxDispatcher>>()));
        services.AddSingleton(sp => new AlertingLoop(
            sp.GetRequiredService<Dispatcher>(), sp.GetRequiredService<OutboxDispatcher>(), sp.GetRequiredService<OutboxStore>(),
            sp.GetRequiredService<IncidentStore>(), sp.GetRequiredService<NotificationSpool>(), sp.GetRequiredService<SpoolDispatcher>(),
            sp.GetRequiredService<SpoolRecovery>(), sp.GetRequiredService<DatabaseOutage>(), sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<AlertingMetrics>(), options, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AlertingLoop>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AlertingLoop>());
        services.AddSingleton(sp => new AlertmanagerView(
            sp.GetRequiredService<AlertStore>(), sp.GetRequiredService<SilenceStore>(), sp.GetRequiredService<MuteEvaluator>(),
            sp.GetRequiredService<AlertingConfig>(), options, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
