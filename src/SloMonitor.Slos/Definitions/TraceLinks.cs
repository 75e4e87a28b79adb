namespace SloMonitor.Slos.Definitions;

/// <summary>Trace link templates (<c>traceUrlTemplate</c>): an absolute http(s) URL with <c>{traceId}</c>, and optionally <c>{spanId}</c>.</summary>
internal static class TraceLinks
{
    public static bool IsValidTemplate(string template) =>
        template.Contains("{traceId}", StringComparison.Ordinal)
        && Uri.TryCreate(template.Replace("{traceId}", "0", StringComparison.Ordinal).Replace("{spanId}", "0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The link for a trace (and span), or null without a template or a trace id.</summary>
    public static string? Link(string? template, string? traceId, string? spanId) =>
        template is null || traceId is null
            ? null
            : template.Replace("{traceId}", traceId, StringComparison.Ordinal).Replace("{spanId}", spanId ?? string.Empty, StringComparison.Ordinal);
}
