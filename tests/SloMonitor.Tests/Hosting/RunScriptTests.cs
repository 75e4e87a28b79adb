using System.Diagnostics;
using System.Net;
using System.Text;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// The real <c>./run.sh</c>, each test with its own data directory (<c>SLOMONITOR_DATA_DIR</c>) so that it starts its
/// own private PostgreSQL there, on free ports, and with <c>--no-build</c> when the service is already built.
/// </summary>
public sealed class RunScriptTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "slomonitor-run-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<Script> _scripts = [];

    public RunScriptTests() => Directory.CreateDirectory(_data);

    private string PostgresDirectory => Path.Combine(_data, "postgres");

    public void Dispose()
    {
        foreach (var script in _scripts)
        {
            script.Dispose();
        }

        LocalPostgres("stop");
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ASecondRunShExitsAtOnceNamingTheFirstWhichKeepsItsDatabaseAndServesWrites()
    {
        var first = Start();
        await WaitForHealthAsync(first);

        var second = Start();
        var code = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 1, second.Output);
        Assert.Contains($"./run.sh is already running in this checkout (pid {first.Id}, API on http://localhost:{first.HttpPort}", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PostgreSQL", second.Output, StringComparison.Ordinal);
        Assert.Equal(0, LocalPostgres("status"));
        // The first run on a new install made an admin token and printed it once, as a link that signs the UI in.
        var link = System.Text.RegularExpressions.Regex.Match(first.Output, $@"http://localhost:{first.HttpPort}/ui#token=(slom_[A-Za-z0-9_-]{{43}})");
        Assert.True(link.Success, first.Output);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first.HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/v1/slos")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", link.Groups[1].Value);
        using var put = await http.PutAsync("api/v1/slos/after-second-run", new StringContent("""{"service": "x", "objective": 99, "sli": {"kind": "availability"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        // The first run started the private PostgreSQL, so it stops it when it ends.
        first.Signal("TERM");
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, first.Output);
        Assert.Contains("stopping the private PostgreSQL", first.Output, StringComparison.Ordinal);
        Assert.Equal(1, LocalPostgres("status"));
    }

    [Fact]
    public async Task ARunShThatFindsThePrivatePostgreSqlRunningLeavesItRunning()
    {
        Assert.Equal(0, LocalPostgres("start"));
        var run = Start();
        await WaitForHealthAsync(run);

        run.Signal("TERM");

        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, run.Output);
        Assert.Contains("using the private PostgreSQL already running", run.Output, StringComparison.Ordinal);

        // The install has its admin token now: a later run does not make another one.
        var again = Start();
        await WaitForHealthAsync(again);
        again.Signal("TERM");
        Assert.True(await again.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, again.Output);
        Assert.Contains("A first admin token was created", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("A first admin token was created", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("stopping the private PostgreSQL", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, LocalPostgres("status"));
    }

    private Script Start()
    {
        var script = Script.Start(_data);
        _scripts.Add(script);
        return script;
    }

    private static async Task WaitForHealthAsync(Script script)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (script.HasExited)
            {
                throw new InvalidOperationException($"./run.sh exited with {script.ExitCode} before answering /healthz:\n{script.Output}");
            }

            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{script.HttpPort}/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or too busy to answer within this probe's timeout
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"./run.sh did not answer /healthz within {StartTimeout}:\n{script.Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>deploy/local-postgres.sh on this test's cluster; its exit code.</summary>
    private int LocalPostgres(string command)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryRoot.Combine("deploy", "local-postgres.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(PostgresDirectory);
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"local-postgres.sh {command} did not finish");
        }

        return process.ExitCode;
    }

    /// <summary>One <c>./run.sh</c> on its own free ports, its output collected.</summary>
    private sealed class Script : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private Script(Process process, int httpPort)
        {
            _process = process;
            HttpPort = httpPort;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int HttpPort { get; }

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static Script Start(string data)
        {
            var httpPort = TestService.FreePort();
            var start = new ProcessStartInfo("bash")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepositoryRoot.Combine(),
            };
            start.ArgumentList.Add(RepositoryRoot.Combine("run.sh"));
            if (File.Exists(RepositoryRoot.Combine("src", "SloMonitor", "bin", "Release", "net10.0", "SloMonitor")))
            {
                start.ArgumentList.Add("--no-build");
            }

            foreach (var (key, port) in new[] { ("HttpPort", httpPort), ("OtlpGrpcPort", TestService.FreePort()), ("OtlpHttpPort", TestService.FreePort()) })
            {
                start.ArgumentList.Add($"--SloMonitor:{key}={port}");
            }

            start.ArgumentList.Add("--SloMonitor:ListenAddress=127.0.0.1");
            start.ArgumentList.Add("--SloMonitor:ShutdownTimeout=00:00:10");
            start.Environment["SLOMONITOR_DATA_DIR"] = data;
            foreach (var inherited in new[] { "ConnectionStrings__Postgres", "Slos__Files__0", "Slos__LocalCheckpointFile", "Alerting__File", "SloMonitor__HttpPort", "Auth__Mode", "Auth__TokenCacheFile" })
            {
                start.Environment.Remove(inherited);
            }

            return new Script(Process.Start(start) ?? throw new InvalidOperationException("could not start ./run.sh"), httpPort);
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"./run.sh did not exit within {timeout}:\n{Output}");
            }

            return _process.ExitCode;
        }

        public void Signal(string name)
        {
            using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
