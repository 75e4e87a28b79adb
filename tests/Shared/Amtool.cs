using System.Diagnostics;
using System.Text;

namespace SloMonitor.Testing;

/// <summary>What one run of <c>amtool</c> printed and how it exited.</summary>
internal sealed record AmtoolRun(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Errors}";
}

/// <summary>
/// The real <c>amtool</c> (Debian's prometheus-alertmanager) as a child process, with a home of its own so that
/// no user configuration changes what it does.
/// </summary>
internal static class Amtool
{
    public const string Binary = "/usr/bin/amtool";

    /// <summary>
    /// Runs <c>amtool --alertmanager.url=URL args…</c>; with the bearer token registered for URL (if any) in an
    /// <c>--http.config.file</c>, as an operator would configure amtool for a server that needs one.
    /// </summary>
    public static async Task<AmtoolRun> RunAsync(Uri alertmanagerUrl, params string[] args)
    {
        if (BearerTokens.For(alertmanagerUrl) is not { } token)
        {
            return await RunRawAsync(["--alertmanager.url=" + alertmanagerUrl, .. args]);
        }

        var config = Path.Combine(Path.GetTempPath(), "amtool-http-" + Guid.NewGuid().ToString("N")[..12] + ".yml");
        await File.WriteAllTextAsync(config, $"authorization:\n  type: Bearer\n  credentials: {token}\n");
        try
        {
            return await RunRawAsync(["--alertmanager.url=" + alertmanagerUrl, "--http.config.file=" + config, .. args]);
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>Runs <c>amtool args…</c> with at most 30 seconds.</summary>
    public static async Task<AmtoolRun> RunRawAsync(params string[] args)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's prometheus-alertmanager package");
        var home = Directory.CreateTempSubdirectory("amtool-home-").FullName;
        try
        {
            var start = new ProcessStartInfo(Binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["HOME"] = home;
            start.Environment["USER"] = "oncall";
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"amtool {string.Join(' ', args)} did not finish within 30s");
            }

            return new AmtoolRun(process.ExitCode, await output, await errors);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
