using System.Diagnostics;

namespace SloMonitor.Testing;

/// <summary>
/// A PostgreSQL server of the test's own, in a temporary folder (<c>deploy/local-postgres.sh</c>), that the test may
/// stop and start again — on the same port — without disturbing the server the other tests share.
/// </summary>
internal sealed class OwnedPostgres : IAsyncDisposable
{
    private readonly string _directory;

    private OwnedPostgres(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Creates the cluster and a <c>slomonitor</c> database, and starts it.</summary>
    public static async Task<OwnedPostgres> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("slomonitor-owned-pg-").FullName;

        // The script takes the first free port from the one in this file: a random start keeps servers that tests
        // start at the same moment (and one that a test has stopped for a while) off each other's ports; below the
        // ports other tests take (20000 and up) and Linux's ephemeral range (32768 and up), which outgoing
        // connections may hold while the server is stopped.
        await File.WriteAllTextAsync(Path.Combine(directory, "port"), Random.Shared.Next(10_000, 20_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var output = await ScriptAsync("start", directory, "slomonitor");
        return new OwnedPostgres(directory, output.Trim().Split('\n')[^1] + ";Timeout=2;Command Timeout=5");
    }

    public Task StopAsync() => ScriptAsync("stop", _directory);

    /// <summary>Starts it again; the script takes the port it had when that port is still free.</summary>
    public async Task RestartAsync()
    {
        var output = await ScriptAsync("start", _directory, "slomonitor");
        if (!ConnectionString.StartsWith(output.Trim().Split('\n')[^1], StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"PostgreSQL came back on another port: {output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string> ScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo(RepositoryRoot.Combine("deploy", "local-postgres.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"local-postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }
}
