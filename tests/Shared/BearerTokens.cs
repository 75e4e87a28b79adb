using System.Collections.Concurrent;

namespace SloMonitor.Testing;

/// <summary>
/// The bearer token to send to an address, remembered by host and port when a test service creates its tokens, so that
/// helpers that only know an endpoint (OTLP pushes, the browser, amtool, Prometheus) send the right one.
/// </summary>
internal static class BearerTokens
{
    private static readonly ConcurrentDictionary<string, string> ByAuthority = new(StringComparer.Ordinal);

    public static void Register(Uri endpoint, string token) => ByAuthority[endpoint.Authority] = token;

    /// <summary>The token registered for <paramref name="endpoint"/>'s host and port, or null.</summary>
    public static string? For(Uri endpoint) => ByAuthority.TryGetValue(endpoint.Authority, out var token) ? token : null;
}
