using Microsoft.Extensions.FileSystemGlobbing;

namespace SloMonitor.Slos.Hosting;

/// <summary>Expands the configured paths and globs into the files that exist now, as full paths.</summary>
internal static class SloFileSet
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> patterns)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                continue;
            }

            var full = Path.GetFullPath(pattern);
            var wildcard = full.IndexOfAny(['*', '?', '[']);
            if (wildcard < 0)
            {
                files.Add(full);
                continue;
            }

            var baseDirectory = Path.GetDirectoryName(full[..wildcard]) ?? Path.GetPathRoot(full)!;
            if (!Directory.Exists(baseDirectory))
            {
                continue;
            }

            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(Path.GetRelativePath(baseDirectory, full));
            foreach (var file in matcher.GetResultsInFullPath(baseDirectory))
            {
                files.Add(Path.GetFullPath(file));
            }
        }

        return [.. files];
    }
}
