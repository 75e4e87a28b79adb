using System.Text.Json;
using SloMonitor.Slos.Cli;

namespace SloMonitor.Slos;

/// <summary>
/// <c>SloMonitor gate --service NAME [--server URL] [--json]</c> asks a running service's deploy gate whether a
/// release may go out. Exit 0 when it may (the reasons, if an override allowed it, on standard output), 1 when it may
/// not (every reason on standard output), 2 on a usage error, an unknown service or when the server cannot be reached.
/// </summary>
public static class SloGateCommand
{
    public const string Usage = "usage: SloMonitor gate --service NAME [--server URL] [--timeout 30s] [--json]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var arguments = CliArguments.Parse(args, [["--service", "-s"], ["--server", "--url"], ["--timeout"]], ["--json"]);
        var service = arguments.Value("--service");
        var problem = arguments.Error
            ?? (service is null ? "--service is required" : null)
            ?? (arguments.Positional.Count > 0 ? $"unexpected argument '{arguments.Positional[0]}'" : null);
        if (problem is not null)
        {
            stderr.WriteLine(problem);
            stderr.WriteLine(Usage);
            return 2;
        }

        var (client, serverProblem) = SloServer.Create(arguments, environment);
        if (client is null)
        {
            stderr.WriteLine(serverProblem);
            return 2;
        }

        using (client)
        {
            string text;
            int status;
            try
            {
                using var response = await client.GetAsync($"api/v1/gates/{Uri.EscapeDataString(service!)}");
                text = await response.Content.ReadAsStringAsync();
                status = (int)response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                stderr.WriteLine(SloServer.Unreachable(client, e));
                return 2;
            }

            JsonElement body;
            try
            {
                using var document = JsonDocument.Parse(text);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                stderr.WriteLine($"SloMonitor answered {status} without JSON: {text}");
                return 2;
            }

            if (status != 200 || !body.TryGetProperty("allow", out var allowNode) || allowNode.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                var error = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var e) ? e.GetString() : text;
                stderr.WriteLine($"SloMonitor answered {status}: {error}");
                return 2;
            }

            var allow = allowNode.GetBoolean();
            if (arguments.Has("--json"))
            {
                stdout.WriteLine(text);
            }
            else
            {
                var overridden = body.TryGetProperty("overridden", out var o) && o.ValueKind == JsonValueKind.True;
                stdout.WriteLine(allow
                    ? overridden ? $"allow: {service} may release (overridden)" : $"allow: {service} may release"
                    : $"deny: {service} may not release");
                foreach (var reason in body.GetProperty("reasons").EnumerateArray())
                {
                    stdout.WriteLine($"  {reason.GetProperty("slo").GetString()}: {reason.GetProperty("message").GetString()}");
                }

                foreach (var active in body.GetProperty("overrides").EnumerateArray())
                {
                    stdout.WriteLine($"  override by {active.GetProperty("author").GetString()} until {active.GetProperty("expiresAt").GetString()}: {active.GetProperty("reason").GetString()}");
                }
            }

            return allow ? 0 : 1;
        }
    }
}
