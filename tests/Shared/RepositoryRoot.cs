namespace SloMonitor.Testing;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds SloMonitor.sln.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    /// <summary>A path inside the checkout, e.g. <c>RepositoryRoot.Combine("deploy", "examples")</c>.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root.Value, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SloMonitor.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no SloMonitor.sln above {AppContext.BaseDirectory}");
    }
}
