using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SloMonitor.Slos.Cli;

namespace SloMonitor.Slos;

/// <summary>
/// <c>SloMonitor apply -f PATH... [--server URL] [--dry-run] [--prune] [--owner NAME] [--selector team=x]</c>: sends
/// the SLO files to <c>POST /api/v1/slos/apply</c>, which applies them all or nothing, and prints the diff. Exit 0
/// when applied (or, with <c>--dry-run</c>, when it would apply); 1 when a file cannot be read or an SLO is invalid
/// or refused (nothing is applied); 2 on a usage error, when the server cannot be reached or answers otherwise.
/// </summary>
public static class SloApplyCommand
{
    public const string Usage = "usage: SloMonitor apply -f PATH... [--server URL] [--dry-run] [--prune] [--owner NAME] [--selector LABEL=VALUE,...] [--timeout 60s]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var arguments = CliArguments.Parse(args, [["--filename", "-f"], ["--server"], ["--owner"], ["--selector", "-l"], ["--timeout"]], ["--dry-run", "--prune"]);
        var problem = arguments.Error
            ?? (arguments.Positional.Count > 0 ? $"unexpected argument '{arguments.Positional[0]}' (files go after -f)" : null)
            ?? (arguments.All("--filename").Count == 0 ? "no files: give them with -f (a file, a directory or a glob)" : null);
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
            var (files, errors) = SloFileArguments.Read(arguments.All("--filename"), stdin, stderr);
            if (errors > 0)
            {
                stderr.WriteLine($"{errors} path(s) could not be read: nothing was sent");
                return 1;
            }

            var body = new JsonObject
            {
                ["files"] = new JsonArray([.. files.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["content"] = f.Content })]),
                ["dryRun"] = arguments.Has("--dry-run"),
                ["prune"] = arguments.Has("--prune"),
            };
            if (arguments.Value("--owner") is { } owner)
            {
                body["owner"] = owner;
            }

            if (arguments.Value("--selector") is { } selector)
            {
                body["selector"] = selector;
            }

            int status;
            string text;
            try
            {
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                using var response = await client.PostAsync("api/v1/slos/apply", content);
                status = (int)response.StatusCode;
                text = await response.Content.ReadAsStringAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                stderr.WriteLine(SloServer.Unreachable(client, e));
                return 2;
            }

            return Report(status, text, stdout, stderr);
        }
    }

    private static int Report(int status, string text, TextWriter stdout, TextWriter stderr)
    {
        JsonElement answer;
        try
        {
            using var document = JsonDocument.Parse(text);
            answer = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            stderr.WriteLine($"SloMonitor answered {status} with something other than JSON: {Shorten(text)}");
            return 2;
        }

        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("slos", out _))
        {
            var error = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("error", out var e) ? e.GetString() : Shorten(text);
            stderr.WriteLine($"SloMonitor answered {status}: {error}");
            return 2;
        }

        SloDiffPrinter.Print(answer, stdout, stderr);
        return status == 200 ? 0 : 1;
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
