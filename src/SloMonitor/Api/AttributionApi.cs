using System.Globalization;
using SloMonitor.Auth;
using SloMonitor.Slos.Attribution;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Api;

/// <summary>
/// What is burning in an SLO (read scope): <c>GET /api/v1/slos/{name}/attribution?window=1h</c> (per attribute key,
/// the values carrying the bad events, with their share of the bad events and of all events),
/// <c>GET /api/v1/slos/{name}/exemplars?window=1h&amp;limit=</c> (recent and slowest bad events with trace links) and
/// <c>GET /api/v1/slos/{name}/deploys</c> (new <c>service.version</c> values and when they started sending) and
/// <c>GET /api/v1/slos/{name}/latency-histogram?window=1h</c> (a latency SLI's distribution, as bins, with its threshold).
/// </summary>
internal static class AttributionApi
{
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapAttributionApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/v1/slos/{name}/attribution", GetAttribution).RequireScope(Scopes.Read);
        app.MapGet("/api/v1/slos/{name}/exemplars", GetExemplars).RequireScope(Scopes.Read);
        app.MapGet("/api/v1/slos/{name}/deploys", GetDeploys).RequireScope(Scopes.Read);
        app.MapGet("/api/v1/slos/{name}/latency-histogram", GetLatencyHistogram).RequireScope(Scopes.Read);
        return app;
    }

    private static IResult GetAttribution(string name, HttpContext context, SloEngine engine, TimeProvider time)
    {
        if (Find(name, engine) is { } missing)
        {
            return missing;
        }

        if (Window(context, out var window) is { } problem)
        {
            return problem;
        }

        if (engine.AttributionOf(name) is not { } attribution)
        {
            return Results.Json(new { slo = name, window = DurationText.Format(window), enabled = false, keys = Array.Empty<object>(), top = Array.Empty<object>() });
        }

        var reading = attribution.Read(time.GetUtcNow(), window);
        return Results.Json(new
        {
            slo = name,
            window = DurationText.Format(window),
            enabled = true,
            from = reading.From,
            to = reading.To,
            badEvents = reading.Bad,
            totalEvents = reading.Total,
            goodSampleEvery = reading.SampleEvery,
            top = reading.Top.Select(ValueJson),
            keys = reading.Keys.Select(k => new { key = k.Key, values = k.Values.Select(ValueJson) }),
        });
    }

    private static IResult GetExemplars(string name, HttpContext context, SloEngine engine, SloOptions options, TimeProvider time)
    {
        if (Find(name, engine) is { } missing)
        {
            return missing;
        }

        if (Window(context, out var window) is { } problem)
        {
            return problem;
        }

        var limit = 20;
        if (context.Request.Query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return ApiRequests.Problem("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        var template = engine.Find(name)!.TraceUrlTemplate ?? options.TraceUrlTemplate;
        if (engine.AttributionOf(name) is not { } attribution)
        {
            return Results.Json(new { slo = name, window = DurationText.Format(window), recent = Array.Empty<object>(), slowest = Array.Empty<object>() });
        }

        var (recent, slowest) = attribution.Exemplars(time.GetUtcNow(), window, limit);
        return Results.Json(new
        {
            slo = name,
            window = DurationText.Format(window),
            traceUrlTemplate = template,
            recent = recent.Select(e => ExemplarJson(e, attribution.Keys, template)),
            slowest = slowest.Select(e => ExemplarJson(e, attribution.Keys, template)),
        });
    }

    private static IResult GetDeploys(string name, SloEngine engine)
    {
        if (Find(name, engine) is { } missing)
        {
            return missing;
        }

        var markers = engine.AttributionOf(name)?.Deploys.Markers() ?? [];
        return Results.Json(new { slo = name, deploys = markers.Select(m => new { version = m.Version, at = m.At }) });
    }

    private static IResult GetLatencyHistogram(string name, HttpContext context, SloEngine engine)
    {
        if (Find(name, engine) is { } missing)
        {
            return missing;
        }

        var window = TimeSpan.FromHours(1);
        var text = context.Request.Query["window"].ToString();
        if (text.Length > 0 && (!DurationText.TryParse(text, out window) || window < TimeSpan.FromMinutes(1) || window > TimeSpan.FromDays(31)))
        {
            return ApiRequests.Problem("window", $"must be a duration from 1m to 31d, found '{(text.Length > 20 ? text[..20] : text)}'");
        }

        var definition = engine.Find(name)!;
        if (engine.LatencyHistogram(name, window) is not { } histogram)
        {
            return Results.Json(new { error = $"SLO '{name}' has no latency histogram: its SLI is {definition.Sli.Kind.ToString().ToLowerInvariant()}" }, statusCode: StatusCodes.Status404NotFound);
        }

        var threshold = definition.Sli.Threshold;
        return Results.Json(new
        {
            slo = name,
            window = DurationText.Format(window),
            threshold,
            count = histogram.Count,
            zeroCount = histogram.ZeroCount,
            relativeError = Math.Round(histogram.RelativeError, 5),
            bins = histogram.Bins.Select(b => new { lower = b.Lower, upper = b.Upper, count = b.Count, aboveThreshold = threshold is { } t && b.Lower >= t }),
        });
    }

    public static object ValueJson(AttributionValue v) => new
    {
        key = v.Key,
        value = v.Value,
        badEvents = v.Bad,
        badEventsError = v.BadError,
        events = v.Total,
        badShare = Math.Round(v.BadShare, 4),
        trafficShare = Math.Round(v.TotalShare, 4),
    };

    public static object ExemplarJson(Exemplar e, string[] keys, string? template)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = e.Values;
        for (var k = 0; k < keys.Length && k < values.Length; k++)
        {
            if (values[k] is { } value)
            {
                attributes[keys[k]] = value;
            }
        }

        var traceId = e.TraceId;
        var spanId = e.SpanId;
        return new
        {
            traceId,
            spanId,
            traceUrl = TraceLinks.Link(template, traceId, spanId),
            time = DateTimeOffset.FromUnixTimeMilliseconds(e.UnixMs),
            durationSeconds = double.IsNaN(e.DurationSeconds) ? (double?)null : e.DurationSeconds,
            status = e.Status,
            attributes,
        };
    }

    private static IResult? Find(string name, SloEngine engine) =>
        engine.Find(name) is null ? Results.Json(new { error = $"no SLO named '{name}'" }, statusCode: StatusCodes.Status404NotFound) : null;

    private static IResult? Window(HttpContext context, out TimeSpan window)
    {
        window = TimeSpan.FromHours(1);
        var text = context.Request.Query["window"].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (!DurationText.TryParse(text, out window) || window < TimeSpan.FromMinutes(1) || window > SloAttribution.LongestWindow)
        {
            return ApiRequests.Problem("window", $"must be a duration from 1m to {DurationText.Format(SloAttribution.LongestWindow)} (5m, 1h, 6h), found '{(text.Length > 20 ? text[..20] : text)}'");
        }

        return null;
    }
}
