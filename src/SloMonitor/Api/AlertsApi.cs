using System.Globalization;
using System.Text.Json;
using SloMonitor.Alerting;
using SloMonitor.Slos.Definitions;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// <c>POST /api/v2/alerts</c>, Alertmanager's API: a JSON array of <c>{labels, annotations, startsAt, endsAt,
/// generatorURL}</c>, so Prometheus (or anything that speaks to Alertmanager) can feed SloMonitor. As in
/// Alertmanager, an alert whose endsAt passed is resolved, and one without endsAt stays firing for
/// <c>Alerting:ExternalResolveTimeout</c> (default 5m) after it was last received. The alerts belong to the tenant of
/// the caller's token, which may have at most <c>Alerting:MaxAlertsPerTenant</c> alerts firing (422 naming the cap).
/// </summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limits = AlertsApiLimits.Read(app.ServiceProvider.GetService<IConfiguration>()?.GetSection(AlertsApiLimits.Section));
        app.MapPost("/api/v2/alerts", (HttpRequest request, AlertIngestor ingestor, AlertingOptions options, TimeProvider time, CancellationToken cancellationToken) =>
            limits.ReadBodyAsync(request, bytes => PostAsync(bytes, Principal.TenantOf(request.HttpContext), limits, ingestor, options, time, cancellationToken), cancellationToken))
            .RequireScope(Scopes.Ingest);
        return app;
    }

    private static async Task<IResult> PostAsync(ReadOnlyMemory<byte> bytes, string tenant, AlertsApiLimits limits, AlertIngestor ingestor, AlertingOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(bytes);
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

        if (body.GetArrayLength() > limits.MaxAlertsPerRequest)
        {
            return AlertsApiLimits.Problem("body", $"has {body.GetArrayLength()} alerts, more than the limit of {limits.MaxAlertsPerRequest} ({AlertsApiLimits.Section}:MaxAlertsPerRequest)", StatusCodes.Status413PayloadTooLarge);
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

            if (OverLimits(limits, field, labels!, annotations!) is { } overLimit)
            {
                return overLimit;
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
            if (!string.IsNullOrEmpty(generator) && !LinkUrls.IsHttp(generator))
            {
                return Problem($"{field}.generatorURL", "must be an absolute http:// or https:// URL");
            }

            if (annotations!.TryGetValue("runbook_url", out var runbook) && runbook.Length > 0 && !LinkUrls.IsHttp(runbook))
            {
                return Problem($"{field}.annotations.runbook_url", "must be an absolute http:// or https:// URL (the UI and notifications link to it)");
            }

            alerts.Add(new AlertInput(labels!, annotations!, start, end, string.IsNullOrEmpty(generator) ? null : generator, tenant));
        }

        try
        {
            await ingestor.SubmitCappedAsync(alerts, cancellationToken);
        }
        catch (AlertLimitException ex)
        {
            return Results.Json(new { error = ex.Message, field = "body" }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (ArgumentException ex)
        {
            // The ingestor names alerts as alerts[i]; this API's body is the array itself.
            var message = ex.Message.Split(" (Parameter", 2)[0].Replace("alerts[", "[", StringComparison.Ordinal);
            return Results.Json(new { error = message, field = message.Split(':', 2)[0] }, statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Ok();
    }

    private static IResult? OverLimits(AlertsApiLimits limits, string field, Dictionary<string, string> labels, Dictionary<string, string> annotations)
    {
        if (labels.Count > limits.MaxLabelsPerAlert)
        {
            return Problem($"{field}.labels", $"has {labels.Count} labels, more than the limit of {limits.MaxLabelsPerAlert} ({AlertsApiLimits.Section}:MaxLabelsPerAlert)");
        }

        if (annotations.Count > limits.MaxAnnotationsPerAlert)
        {
            return Problem($"{field}.annotations", $"has {annotations.Count} annotations, more than the limit of {limits.MaxAnnotationsPerAlert} ({AlertsApiLimits.Section}:MaxAnnotationsPerAlert)");
        }

        foreach (var (name, value) in labels)
        {
            if (name.Length > limits.MaxLabelNameLength)
            {
                return Problem($"{field}.labels", $"the label name '{name[..Math.Min(32, name.Length)]}…' is {name.Length} characters long, more than the limit of {limits.MaxLabelNameLength} ({AlertsApiLimits.Section}:MaxLabelNameLength)");
            }

            if (value.Length > limits.MaxLabelValueLength)
            {
                return Problem($"{field}.labels.{name}", $"the value is {value.Length} characters long, more than the limit of {limits.MaxLabelValueLength} ({AlertsApiLimits.Section}:MaxLabelValueLength)");
            }
        }

        return null;
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

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
