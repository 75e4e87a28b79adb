using SloMonitor.Alerting;
using SloMonitor.Api;
using SloMonitor.Auth;
using SloMonitor.Cluster;
using SloMonitor.Ingest;
using SloMonitor.Slos;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.SloAlerts;

namespace SloMonitor.Hosting;

/// <summary>Wires the capability areas (ingest, SLOs, alerting, UI) into the host.</summary>
internal static class Modules
{
    public static void AddServices(WebApplicationBuilder builder, ServiceOptions options)
    {
        var configuration = builder.Configuration;
        ConfiguredFiles.EnsureExist(configuration);

        builder.Services.AddSlos(configuration.GetSection("Slos"));
        builder.AddSloCluster(); // Cluster:Mode; nothing unless it asks for a cluster (docs/cluster.md)
        var explicitEventAge = configuration["Ingest:MaxEventAge"] is { Length: > 0 };
        builder.Services.AddOtlpIngest();
        if (!explicitEventAge)
        {
            // Events are accepted as far back as the longest SLO window running reaches, unless configured otherwise.
            builder.Services.AddOptions<IngestOptions>().Configure<SloTenants>((ingest, tenants) => ingest.MaxEventAgeSource = () => tenants.All.Max(t => t.Engine.LongestWindow));
        }

        // The notification spool lives beside the SLI checkpoint journal unless Alerting:Spool:File says otherwise.
        var journal = configuration["Slos:LocalCheckpointFile"];
        builder.Services.AddAlerting(configuration.GetSection("Alerting"), journal is { Length: > 0 } ? Path.GetDirectoryName(journal) : null);
        var externalUrl = configuration["Alerting:ExternalUrl"] is { Length: > 0 } url ? url : $"http://localhost:{options.HttpPort}";
        builder.Services.AddSloAlerts(externalUrl);
    }

    public static void MapEndpoints(WebApplication app)
    {
        app.MapOtlpGrpc().RequireScope(Scopes.Ingest);
        app.MapOtlpHttp().RequireScope(Scopes.Ingest);
        app.MapSlosApi();
        app.MapSloApplyApi();
        app.MapGatesApi();
        app.MapAdjustmentsApi();
        app.MapReportsApi();
        app.MapSloTimelineApi();
        app.MapAttributionApi();
        app.MapIncidentsApi();
        app.MapSilencesApi();
        app.MapAlertsApi();
        app.MapAlertmanagerAlertsApi();
        app.MapAlertmanagerSilencesApi();
        app.MapAlertmanagerStatusApi();
        app.MapTokensApi();
        app.MapAuditApi();
        app.MapUiConfigApi();
        app.MapUi();
    }
}
