using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos;

/// <summary>
/// <c>SloMonitor validate FILE...</c> for CI pipelines: checks SLO files (paths or globs), prints every error as
/// <c>file:line:column: field: message</c> on stderr and exits 1 on any error, 2 on a usage error, 0 when valid.
/// </summary>
public static class SloValidateCommand
{
    public static int Run(IReadOnlyList<string> files, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (files.Count == 0)
        {
            stderr.WriteLine("usage: SloMonitor validate FILE...");
            return 2;
        }

        var errors = 0;
        var definitions = 0;
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pattern in files)
        {
            var matched = SloFileSet.Expand([pattern]);
            if (matched.Count == 0 || (matched.Count == 1 && !File.Exists(matched[0])))
            {
                stderr.WriteLine($"{pattern}: no such file");
                errors++;
                continue;
            }

            foreach (var file in matched)
            {
                var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
                var display = relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
                SloParseResult result;
                try
                {
                    result = SloParser.ParseYaml(File.ReadAllText(file), display);
                }
                catch (IOException e)
                {
                    stderr.WriteLine($"{display}: cannot read: {e.Message}");
                    errors++;
                    continue;
                }

                foreach (var error in result.Errors)
                {
                    stderr.WriteLine(error.ToString());
                }

                foreach (var definition in result.Definitions)
                {
                    if (owners.TryGetValue(definition.Name, out var owner))
                    {
                        stderr.WriteLine($"{display}: name: '{definition.Name}' is already defined in {owner}");
                        errors++;
                    }
                    else
                    {
                        owners[definition.Name] = display;
                    }
                }

                errors += result.Errors.Count;
                definitions += result.Definitions.Count;
                if (result.IsValid)
                {
                    stdout.WriteLine($"{display}: {result.Definitions.Count} SLO(s) valid");
                }
            }
        }

        if (errors > 0)
        {
            stderr.WriteLine($"{errors} error(s)");
            return 1;
        }

        stdout.WriteLine($"{definitions} SLO(s) valid");
        return 0;
    }
}
