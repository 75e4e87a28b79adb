using System.Diagnostics;

namespace SloMonitor.Testing;

/// <summary>What one run of a command printed and its exit code.</summary>
internal sealed record CliResult(int Code, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real <c>SloMonitor</c> executable as a command (<c>apply</c>, <c>export</c>, …) and waits for it, bounded in time.</summary>
internal static class CliProcess
{
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SloMonitor.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The caller's own settings only: none inherited from the machine running the tests.
        start.Environment.Remove("SLOMONITOR_TOKEN");
        start.Environment.Remove("SLOMONITOR_SERVER");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start SloMonitor");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"SloMonitor {string.Join(' ', args)} did not exit within 60 s");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
