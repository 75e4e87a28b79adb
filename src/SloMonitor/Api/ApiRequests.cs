using System.Text.Json;

namespace SloMonitor.Api;

/// <summary>What the JSON endpoints share: the 400 answer naming a field, and a body that must be one JSON object.</summary>
internal static class ApiRequests
{
    public static IResult Problem(string field, string message) =>
        Results.Json(new { error = $"{field}: {message}", field }, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The body as a JSON object, or the 400 that says why it is not one (<paramref name="shape"/> says what is expected).</summary>
    public static async Task<(JsonElement Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, string shape, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, Problem("body", $"expected {shape}"));
        }
        catch (JsonException ex)
        {
            return (default, Problem("body", $"invalid JSON: {ex.Message}"));
        }
    }
}
