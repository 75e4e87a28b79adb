namespace SloMonitor.Slos.Definitions;

/// <summary>What a link shown in the UI or a notification may be: an absolute http or https URL.</summary>
public static class LinkUrls
{
    public static bool IsHttp(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
