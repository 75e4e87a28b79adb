using SloMonitor.Hosting;

namespace SloMonitor.Api;

/// <summary>
/// <c>/healthz</c>: the process is alive (a liveness probe). <c>/readyz</c>: the service takes traffic (a readiness
/// probe) — 200 while it serves ingest and the API, also while PostgreSQL is away, with the database's state in the
/// body: taking the only replica out of its Service because the database is down would stop ingest and pages too.
/// </summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n")).AllowAnonymous();
        app.MapGet("/readyz", (DatabaseHealth database) => Results.Json(new
        {
            status = database.IsUp ? "ready" : "degraded",
            database = new
            {
                up = database.IsUp,
                migrated = database.IsMigrated,
                problem = database.Problem,
            },
        })).AllowAnonymous();
        return app;
    }
}
