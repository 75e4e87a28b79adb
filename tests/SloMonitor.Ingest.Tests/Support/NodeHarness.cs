namespace SloMonitor.Ingest.Tests.Support;

/// <summary>Finds the Node.js harness beside the test sources and installs its npm dependencies when missing.</summary>
internal static class NodeHarness
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task<string> EnsureInstalledAsync()
    {
        var directory = Locate();
        await InstallLock.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(directory, "node_modules", "@opentelemetry", "sdk-trace-base")))
            {
                var (exitCode, output) = await ProcessRunner.RunAsync("npm", "ci --no-audit --no-fund", directory, TimeSpan.FromMinutes(4));
                Assert.True(exitCode == 0, $"npm ci failed with {exitCode}: {output}");
            }
        }
        finally
        {
            InstallLock.Release();
        }

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
