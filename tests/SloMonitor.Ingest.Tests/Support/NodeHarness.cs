namespace SloMonitor.Ingest.Tests.Support;

/// <summary>Finds the Node.js harness beside the test sources and installs its npm dependencies when missing.</summary>
internal static class NodeHarness
{
    public static async Task<string> EnsureInstalledAsync()
    {
        var directory = Locate();
        await SloMonitor.Testing.NodeModules.EnsureAsync(directory, Path.Combine("@opentelemetry", "sdk-trace-base"));
        return directory;
    }

    private static string Locate()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        for (var i = 0; i < 8 && directory is not null; i++, directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "node", "package.json");
            if (File.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }

        throw new DirectoryNotFoundException($"node/package.json not found above {AppContext.BaseDirectory}");
    }
}
