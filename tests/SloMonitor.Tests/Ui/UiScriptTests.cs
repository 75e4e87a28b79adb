using System.Diagnostics;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>The web UI's own unit tests (src/SloMonitor/ui/test, Node's test runner), run with the rest of the suite.</summary>
public sealed class UiScriptTests
{
    [Fact]
    public async Task TheUiScriptTestsPass()
    {
        var start = new ProcessStartInfo("node", ["--test", "test/"])
        {
            WorkingDirectory = RepositoryRoot.Combine("src", "SloMonitor", "ui"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);

        Assert.True(node.ExitCode == 0, await output + await errors);
        Assert.Contains("# fail 0", await output, StringComparison.Ordinal);
    }
}
