using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>Who makes a change recorded with an author (gate overrides, budget adjustments): the signed-in principal.</summary>
internal static class ApiAuthor
{
    public static string Of(HttpRequest request) => Principal.NameOf(request.HttpContext);
}
