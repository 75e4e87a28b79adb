namespace SloMonitor.Hosting;

/// <summary>
/// A request that changes state and carries a body must say it is JSON (<c>application/json</c>, or
/// <c>application/yaml</c> for a bulk apply); anything else is 415. A web page can send <c>text/plain</c>, form or
/// multipart bodies to another site without asking it first (no CORS preflight), so refusing them keeps a page open in
/// an engineer's browser from changing anything here. OTLP has its own content types and is not concerned.
/// </summary>
internal static class JsonBodiesOnly
{
    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

    public static void UseJsonBodiesOnly(this WebApplication app, ServiceOptions options) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var changes = HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);
            var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
            if (!changes || !hasBody || context.Connection.LocalPort != options.HttpPort || Accepted(request))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsJsonAsync(new
            {
                error = $"Content-Type: expected application/json, found '{request.ContentType ?? "none"}'",
                field = "Content-Type",
            });
        });

    private static bool Accepted(HttpRequest request)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType is not null
            && (mediaType == "application/json" || (mediaType.StartsWith("application/", StringComparison.Ordinal) && mediaType.EndsWith("+json", StringComparison.Ordinal))
                || (YamlTypes.Contains(mediaType) && request.Path.StartsWithSegments("/api/v1/slos/apply", StringComparison.Ordinal)));
    }
}
