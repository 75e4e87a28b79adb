using System.Net.Http.Headers;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Cli;

/// <summary>
/// The SloMonitor service a command talks to: <c>--server URL</c>, else <c>SLOMONITOR_SERVER</c>, else
/// <c>http://localhost:8080</c>. When <c>SLOMONITOR_TOKEN</c> is set it is sent as <c>Authorization: Bearer</c>.
/// </summary>
internal static class SloServer
{
    public const string ServerVariable = "SLOMONITOR_SERVER";
    public const string TokenVariable = "SLOMONITOR_TOKEN";
    public const string DefaultServer = "http://localhost:8080";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A client for the server, or the usage error that prevents one.</summary>
    public static (HttpClient? Client, string? Error) Create(CliArguments arguments, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var server = arguments.Value("--server") ?? environment(ServerVariable) ?? DefaultServer;
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            return (null, $"--server: expected an http:// or https:// URL, found '{server}'");
        }

        var timeout = DefaultTimeout;
        if (arguments.Value("--timeout") is { } text && (!DurationText.TryParse(text, out timeout) || timeout <= TimeSpan.Zero))
        {
            return (null, $"--timeout: expected a duration such as 30s or 2m, found '{text}'");
        }

        var client = new HttpClient { BaseAddress = address, Timeout = timeout };
        if (environment(TokenVariable) is { Length: > 0 } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return (client, null);
    }

    /// <summary>One line saying why a request got no answer (refused connection, timeout, …).</summary>
    public static string Unreachable(HttpClient client, Exception e) => e switch
    {
        TaskCanceledException => $"no answer from SloMonitor at {client.BaseAddress} within {DurationText.Format(client.Timeout)} (--timeout)",
        _ => $"cannot reach SloMonitor at {client.BaseAddress}: {e.Message}",
    };
}
