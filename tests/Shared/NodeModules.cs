using System.Diagnostics;

namespace SloMonitor.Testing;

/// <summary>
/// Installs a Node.js harness's npm dependencies (<c>npm ci</c>) when they are missing, once across the test processes
/// that run at the same time (an exclusive lock file beside <c>package.json</c>).
/// </summary>
internal static class NodeModules
{
    public static async Task EnsureAsync(string directory, string probe)
    {
        if (Directory.Exists(Path.Combine(directory, "node_modules", probe)))
        {
            return;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        FileStream? held = null;
        while (held is null)
        {
            try
            {
                held = new FileStream(Path.Combine(directory, ".npm-ci.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }

        await using (held)
        {
            if (Directory.Exists(Path.Combine(directory, "node_modules", probe)))
            {
                return;
            }

            var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start npm");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"npm ci in {directory} failed with {process.ExitCode}: {await output}{await errors}");
        }
    }
}
