using SloMonitor.Slos.Hosting;

namespace SloMonitor.Slos.Cli;

/// <summary>One SLO file read for a command: the path as shown to the user (relative when below the working directory) and its text.</summary>
internal sealed record SloFileText(string Path, string Content);

/// <summary>
/// The files of <c>-f</c>: a file, a directory (its <c>*.yaml</c> and <c>*.yml</c> files, subdirectories included,
/// hidden ones left out), a glob (<c>slos/**/*.yaml</c>), or <c>-</c> for standard input.
/// </summary>
internal static class SloFileArguments
{
    /// <summary>The files in a stable order; every path that names nothing readable is reported on <paramref name="stderr"/>.</summary>
    public static (List<SloFileText> Files, int Errors) Read(IReadOnlyList<string> paths, TextReader stdin, TextWriter stderr)
    {
        var files = new List<SloFileText>();
        var errors = 0;
        foreach (var path in paths)
        {
            if (path == "-")
            {
                files.Add(new SloFileText("stdin", stdin.ReadToEnd()));
                continue;
            }

            IReadOnlyList<string> matched;
            if (Directory.Exists(path))
            {
                var root = Path.GetFullPath(path);
                matched = [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                    .Order(StringComparer.Ordinal)];
                if (matched.Count == 0)
                {
                    stderr.WriteLine($"{path}: no .yaml or .yml files in this directory");
                    errors++;
                    continue;
                }
            }
            else
            {
                matched = SloFileSet.Expand([path]);
                if (matched.Count == 0 || (matched.Count == 1 && !File.Exists(matched[0])))
                {
                    stderr.WriteLine($"{path}: no such file or directory");
                    errors++;
                    continue;
                }
            }

            foreach (var file in matched)
            {
                var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
                var display = relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
                try
                {
                    files.Add(new SloFileText(display, File.ReadAllText(file)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"{display}: cannot read: {e.Message}");
                    errors++;
                }
            }
        }

        return (files, errors);
    }
}
