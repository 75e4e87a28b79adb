using System.Globalization;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace SloMonitor.Hosting;

/// <summary>
/// Serilog. Sinks come from configuration (<c>Serilog:WriteTo</c>); only when none is configured does it write to the
/// console: human-readable text by default, one JSON object per line with <c>Logging:Format=json</c>. Levels come
/// from <c>Serilog:MinimumLevel</c> as usual. Every event carries <c>ServiceVersion</c> and <c>Instance</c>.
/// </summary>
internal static class Logging
{
    public static LoggerConfiguration Configure(LoggerConfiguration logger, IConfiguration configuration)
    {
        logger.ReadFrom.Configuration(configuration)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .MinimumLevel.Override("OpenTelemetry", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("ServiceVersion", SelfTelemetry.Version)
            .Enrich.WithProperty("Instance", configuration["SloMonitor:Instance"] is { Length: > 0 } instance ? instance : Environment.MachineName);
        if (configuration.GetSection("Serilog:WriteTo").Exists())
        {
            return logger;
        }

        var json = string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase);
        return json
            ? logger.WriteTo.Console(new RenderedCompactJsonFormatter())
            : logger.WriteTo.Console(formatProvider: CultureInfo.InvariantCulture, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext:l}: {Message:lj}{NewLine}{Exception}");
    }

    /// <summary>Request log lines carry the path, never the query string or headers, so no secret reaches the log.</summary>
    public static void UseRequestLogging(WebApplication app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : context.Request.Path.StartsWithSegments("/metrics") || context.Request.Path.StartsWithSegments("/healthz")
                  || context.Request.Path.StartsWithSegments("/readyz") || context.Request.Path.StartsWithSegments("/v1")
                  || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true
                    ? LogEventLevel.Verbose
                    : LogEventLevel.Information;
        });
}
