using SloMonitor.Slos.Cli;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos;

/// <summary>
/// <c>SloMonitor export --format openslo [--server URL] [NAME...]</c> prints the SLOs of a running service as OpenSLO
/// v1 YAML (all of them, or those named); <c>-f PATH</c> converts SLO files instead, without a server. SLOs OpenSLO
/// cannot express are named with the reason on standard error. Exit 0 when everything asked for was exported; 1 when
/// an SLO was left out, unknown, or a file is invalid; 2 on a usage error or when the server cannot be reached.
/// </summary>
public static class SloExportCommand
{
    public const string Usage = "usage: SloMonitor export --format openslo [--server URL] [NAME...] | export --format openslo -f PATH...";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var arguments = CliArguments.Parse(args, [["--format"], ["--filename", "-f"], ["--server"], ["--timeout"]], []);
        var format = arguments.Value("--format") ?? "openslo";
        var problem = arguments.Error
            ?? (format != "openslo" ? $"--format: only 'openslo' is supported, found '{format}'" : null)
            ?? (arguments.All("--filename").Count > 0 && (arguments.Positional.Count > 0 || arguments.Value("--server") is not null) ? "-f converts files: give no server and no SLO names with it" : null);
        if (problem is not null)
        {
            stderr.WriteLine(problem);
            stderr.WriteLine(Usage);
            return 2;
        }

        return arguments.All("--filename").Count > 0
            ? ConvertFiles(arguments.All("--filename"), stdin, stdout, stderr)
            : await FetchAsync(arguments, stdout, stderr, environment);
    }

    private static int ConvertFiles(IReadOnlyList<string> paths, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var (files, errors) = SloFileArguments.Read(paths, stdin, stderr);
        var definitions = new List<Definitions.SloDefinition>();
        foreach (var file in files)
        {
            var parsed = SloParser.ParseYaml(file.Content, file.Path);
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine(error.ToString());
            }

            errors += parsed.Errors.Count;
            definitions.AddRange(parsed.Definitions);
        }

        if (errors > 0)
        {
            stderr.WriteLine($"{errors} error(s): nothing was exported");
            return 1;
        }

        var export = OpenSloWriter.Write(definitions);
        stdout.Write(export.Yaml);
        foreach (var skipped in export.Skipped)
        {
            stderr.WriteLine($"not exported: {skipped.Name}: {skipped.Reason}");
        }

        return export.Skipped.Count == 0 ? 0 : 1;
    }

    private static async Task<int> FetchAsync(CliArguments arguments, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var (client, serverProblem) = SloServer.Create(arguments, environment);
        if (client is null)
        {
            stderr.WriteLine(serverProblem);
            return 2;
        }

        using (client)
        {
            var paths = arguments.Positional.Count == 0
                ? ["api/v1/slos?format=openslo"]
                : arguments.Positional.Select(name => $"api/v1/slos/{Uri.EscapeDataString(name)}?format=openslo").ToList();
            var failed = 0;
            foreach (var path in paths)
            {
                try
                {
                    using var response = await client.GetAsync(path);
                    var text = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        stderr.WriteLine($"SloMonitor answered {(int)response.StatusCode}: {ErrorOf(text)}");
                        if ((int)response.StatusCode is not (404 or 422))
                        {
                            return 2;
                        }

                        failed++;
                        continue;
                    }

                    stdout.Write(text);
                    foreach (var line in text.Split('\n').Where(l => l.StartsWith("# not exported: ", StringComparison.Ordinal)))
                    {
                        stderr.WriteLine(line[2..]);
                        failed++;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    stderr.WriteLine(SloServer.Unreachable(client, e));
                    return 2;
                }
            }

            return failed == 0 ? 0 : 1;
        }
    }

    private static string? ErrorOf(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() : text;
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }
}
