using System.Globalization;
using System.Text.Json;
using SloMonitor.Alerting;

namespace SloMonitor.Api;

/// <summary>
/// <c>POST /api/v2/alerts</c>, Alertmanager's API: a JSON array of <c>{labels, annotations, startsAt, endsAt,
/// generatorURL}</c>, so Prometheus (or anything that speaks to Alertmanager) can feed SloMonitor. As in
/// Alertmanager, an alert whose endsAt passed is resolved, and one without endsAt stays firing for
/// <c>Alerting:ExternalResolveTimeout</c> (default 5m) after it was last received.
/// </summary>
public static class AlertsApi
{
    private const int MaxAlertsPerRequest = 10_000;

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/api/v2/alerts", PostAsync);
        return app;
    }

    private static async Task<IResult> PostAsync(HttpRequest request, AlertIngestor ingestor, AlertingOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Problem("body", $"invalid JSON: {ex.Message}");
        }

        if (body.ValueKind != JsonValueKind.Array)
        {
            return Problem("body", "expected a JSON array of alerts");
        }

        if (body.GetArrayLength() > MaxAlertsPerRequest)
        {
            return Problem("body", $"at most {MaxAlertsPerRequest} alerts per request");
        }

        var now = time.GetUtcNow();
        var alerts = new List<AlertInput>();
        var index = 0;
        foreach (var item in body.EnumerateArray())
        {
            var field = $"[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                return Problem(field, "expected an alert object");
            }

            if (!TryMap(item, "labels", field, required: true, out var labels, out var labelsError))
            {
                return labelsError!;
            }

            if (!TryMap(item, "annotations", field, required: false, out var annotations, out var annotationsError))
            {
                return annotationsError!;
            }

            if (!TryTime(item, "startsAt", field, out var startsAt, out var startsError) || !TryTime(item, "endsAt", field, out var endsAt, out startsError))
            {
                return startsError!;
            }

            // Without startsAt, a resolve that already ended starts when it ended (as in Alertmanager).
            var start = startsAt ?? (endsAt is { } ended && ended < now ? ended : now);
            var end = endsAt ?? now + options.ExternalResolveTimeout;
            if (end < start)
            {
                return endsAt is null ? Problem($"{field}.startsAt", "is further in the future than the resolve timeout") : Problem($"{field}.endsAt", "is before startsAt");
            }

            var generator = item.TryGetProperty("generatorURL", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
            alerts.Add(new AlertInput(labels!, annotations!, start, end, string.IsNullOrEmpty(generator) ? null : generator));
        }

        try
        {
            await ingestor.SubmitAsync(alerts, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            // The ingestor names alerts as alerts[i]; this API's body is the array itself.
            var message = ex.Message.Split(" (Parameter", 2)[0].Replace("alerts[", "[", StringComparison.Ordinal);
            return Results.Json(new { error = message, field = message.Split(':', 2)[0] }, statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Ok();
    }

    private static bool TryMap(JsonElement item, string name, string field, bool required, out Dictionary<string, string>? map, out IResult? error)
    {
        map = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = Problem($"{field}.{name}", "is required");
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            error = Problem($"{field}.{name}", "expected an object of strings");
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                error = Problem($"{field}.{name}.{property.Name}", "expected a string");
                return false;
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return true;
    }

    private static bool TryTime(JsonElement item, string name, string field, out DateTimeOffset? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            // Go's zero time means "not set", as in Alertmanager.
            value = parsed.Year <= 1 ? null : parsed.ToUniversalTime();
            return true;
        }

        error = Problem($"{field}.{name}", "is not an RFC 3339 time");
        return false;
    }

    private static IResult Problem(string field, string message) =>
        Results.Json(new { error = $"{field}: {message}", field }, statusCode: StatusCodes.Status400BadRequest);
}
