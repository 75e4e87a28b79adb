using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SloMonitor.Testing;

/// <summary>
/// The real <c>SloMonitor</c> executable as a child process (the build copies it beside the tests), for what only
/// a process shows: exit codes, start-up log lines, signals.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>
    /// The environment of a service on 127.0.0.1 with the given database, HTTP and OTLP/HTTP ports (free ones when not
    /// given); callers add their own settings to it.
    /// </summary>
    public static Dictionary<string, string> LoopbackEnvironment(string connectionString, int? httpPort = null, int? otlpHttpPort = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "slomonitor-test-" + Guid.NewGuid().ToString("N")[..12]);
        return new()
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["SloMonitor__ListenAddress"] = "127.0.0.1",
            ["SloMonitor__HttpPort"] = (httpPort ?? TestService.FreePort()).ToString(CultureInfo.InvariantCulture),
            ["SloMonitor__OtlpGrpcPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture),
            ["SloMonitor__OtlpHttpPort"] = (otlpHttpPort ?? TestService.FreePort()).ToString(CultureInfo.InvariantCulture),
            ["Slos__LocalCheckpointFile"] = Path.Combine(directory, "sli-checkpoint.journal"),
            ["Auth__TokenCacheFile"] = Path.Combine(directory, "token-cache.json"),
        };
    }

    /// <summary>
    /// A client of the service at <paramref name="httpPort"/> with a new admin token in <paramref name="connectionString"/>'s
    /// database (created as <c>SloMonitor tokens create</c> would, migrating first), registered for the OTLP helpers too.
    /// </summary>
    public static async Task<HttpClient> AdminClientAsync(string connectionString, int httpPort, int? otlpHttpPort = null)
    {
        var token = await TestTokens.CreateAsync(connectionString, "test-admin-" + Guid.NewGuid().ToString("N")[..6], "admin");
        var address = new Uri($"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}/");
        TestTokens.Register(address, token);
        if (otlpHttpPort is { } otlp)
        {
            TestTokens.Register(new Uri($"http://127.0.0.1:{otlp.ToString(CultureInfo.InvariantCulture)}"), token);
        }

        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static ServiceProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // `env --default-signal=INT` gives the service the Ctrl-C of a terminal even when the test run itself was
        // started in the background, where SIGINT is ignored and that would be inherited.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SloMonitor.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start SloMonitor"));
    }

    /// <summary>The exit code; a <see cref="TimeoutException"/> carrying the output so far when it does not exit in time.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"SloMonitor did not exit within {timeout}; output so far:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until a line containing <paramref name="text"/> was printed.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"'{text}' was not printed; output so far:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Asks <paramref name="condition"/> every 100 ms until it holds (true) or the time is up (false); failed requests count as not yet.</summary>
    public static async Task<bool> PollAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends a POSIX signal by name (INT, TERM, KILL), as a terminal or an orchestrator would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {_process.Id} failed with {kill.ExitCode}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }
}
