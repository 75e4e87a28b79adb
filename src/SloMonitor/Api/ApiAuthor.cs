using System.Text.Json;

namespace SloMonitor.Api;

/// <summary>
/// Who makes a change recorded with an author (gate overrides): the body's <c>author</c>, else the
/// <c>X-Actor</c> header, as the incident and silence endpoints take their actor. The one place to change when the
/// caller's identity comes from elsewhere.
/// </summary>
internal static class ApiAuthor
{
    public const int MaxLength = 200;

    /// <summary>The author, trimmed and cut to <see cref="MaxLength"/>; null when the caller named none.</summary>
    public static string? Of(HttpRequest request, JsonElement body)
    {
        var author = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.String
            ? a.GetString()!.Trim()
            : request.Headers[IncidentsApi.ActorHeader].ToString().Trim();
        return author.Length == 0 ? null : author.Length <= MaxLength ? author : author[..MaxLength];
    }
}
