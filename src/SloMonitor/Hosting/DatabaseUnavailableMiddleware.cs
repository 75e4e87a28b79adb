using SloMonitor.Storage;

namespace SloMonitor.Hosting;

/// <summary>
/// Answers 503 with a message and <c>Retry-After</c> when a request needs PostgreSQL and it cannot be reached,
/// instead of a 500. Writes go to the database first and to memory only after it committed, so nothing is half
/// written.
/// </summary>
internal sealed class DatabaseUnavailableMiddleware(RequestDelegate next, ILogger<DatabaseUnavailableMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("{Method} {Path} needs PostgreSQL, which does not answer: {Reason}", context.Request.Method, context.Request.Path, e.Message);
            DatabaseHealth.CountError("request");
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await context.Response.WriteAsJsonAsync(new
            {
                error = "the database is unavailable, so this request could not be served and nothing was changed; try again shortly (ingest, SLO state and notifications go on without it)",
            });
        }
    }
}
