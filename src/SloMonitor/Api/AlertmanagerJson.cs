using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Primitives;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Views;

namespace SloMonitor.Api;

/// <summary>
/// The shapes of Alertmanager's API v2 (its OpenAPI document's <c>gettableAlert</c>, <c>alertGroup</c>,
/// <c>gettableSilence</c>), its times (RFC 3339 in UTC with milliseconds; Go's zero time for an alert without an
/// end), its query parameters and its errors: a JSON string with 400 or 404, which clients print as they are.
/// </summary>
internal static class AlertmanagerJson
{
    /// <summary>Go's zero time, which Alertmanager's clients read as "no end".</summary>
    public const string ZeroTime = "0001-01-01T00:00:00.000Z";

    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static IResult BadRequest(string message) => Results.Json(message, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string message) => Results.Json(message, statusCode: StatusCodes.Status404NotFound);

    public static GettableAlert Alert(AlertView alert) => new(
        alert.Labels,
        alert.Annotations,
        Time(alert.StartsAt),
        alert.EndsAt is { } end ? Time(end) : ZeroTime,
        Time(alert.UpdatedAt),
        alert.GeneratorUrl,
        alert.Fingerprint,
        alert.Receivers.Select(r => new ReceiverJson(r)).ToList(),
        new AlertStatusJson(alert.State, alert.SilencedBy, alert.InhibitedBy, alert.MutedBy));

    public static GettableSilence Silence(Silence silence, DateTimeOffset now) => new(
        silence.Id.ToString(),
        new SilenceStatusJson(silence.StateAt(now)),
        Time(silence.UpdatedAt),
        silence.Matchers.Select(m => new MatcherJson(m.Name, m.Value, m.IsRegex, m.IsEqual)).ToList(),
        Time(silence.StartsAt),
        Time(silence.EndsAt),
        silence.CreatedBy,
        silence.Comment);

    /// <summary>Go's <c>strconv.ParseBool</c>, which Alertmanager's server uses; absent means <paramref name="fallback"/>.</summary>
    public static bool TryFlag(HttpRequest request, string name, bool fallback, out bool value, out IResult? error)
    {
        error = null;
        value = fallback;
        var text = request.Query[name].ToString();
        switch (text)
        {
            case "":
                return true;
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                value = false;
                return true;
            default:
                error = BadRequest($"{name}: '{text}' is not a boolean (true or false)");
                return false;
        }
    }

    /// <summary>The repeated <c>filter</c> parameter as matchers (<c>name="value"</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>).</summary>
    public static bool TryFilter(StringValues filters, out List<Matcher> matchers, out IResult? error)
    {
        matchers = [];
        error = null;
        for (var i = 0; i < filters.Count; i++)
        {
            try
            {
                matchers.Add(Matcher.Parse(filters[i] ?? string.Empty));
            }
            catch (FormatException ex)
            {
                error = BadRequest($"filter[{i}]: bad matcher format: {ex.Message}");
                return false;
            }
        }

        return true;
    }

    internal sealed record GettableAlert(
        IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations,
        string StartsAt,
        string EndsAt,
        string UpdatedAt,
        [property: JsonPropertyName("generatorURL"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GeneratorUrl,
        string Fingerprint,
        IReadOnlyList<ReceiverJson> Receivers,
        AlertStatusJson Status);

    internal sealed record AlertStatusJson(string State, IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy, IReadOnlyList<string> MutedBy);

    internal sealed record ReceiverJson(string Name);

    internal sealed record AlertGroupJson(IReadOnlyDictionary<string, string> Labels, ReceiverJson Receiver, IReadOnlyList<GettableAlert> Alerts);

    internal sealed record GettableSilence(
        string Id,
        SilenceStatusJson Status,
        string UpdatedAt,
        IReadOnlyList<MatcherJson> Matchers,
        string StartsAt,
        string EndsAt,
        string CreatedBy,
        string Comment);

    internal sealed record SilenceStatusJson(string State);

    internal sealed record MatcherJson(string Name, string Value, bool IsRegex, bool IsEqual);
}
