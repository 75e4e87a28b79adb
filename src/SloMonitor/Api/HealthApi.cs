using Dapper;
using Npgsql;
using SloMonitor.Hosting;

namespace SloMonitor.Api;

/// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: migrations ran and PostgreSQL answers now.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (Readiness readiness, NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            if (!readiness.Migrated)
            {
                return Results.Text("not ready: database migrations have not run\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
                return Results.Text("ready\n");
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                return Results.Text($"not ready: PostgreSQL does not answer ({e.Message})\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return app;
    }
}
