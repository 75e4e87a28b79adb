namespace SloMonitor.Hosting;

/// <summary>Wires the capability areas (ingest, SLOs, alerting, UI) into the host, each behind its own port rules.</summary>
internal static class Modules
{
    public static void AddServices(WebApplicationBuilder builder)
    {
    }

    public static void MapEndpoints(WebApplication app, ServiceOptions options)
    {
    }
}
