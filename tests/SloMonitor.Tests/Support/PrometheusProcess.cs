using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace SloMonitor.Testing;

/// <summary>
/// The real Prometheus (Debian's prometheus package) on 127.0.0.1, evaluating its rules every second and sending
/// alerts to the given Alertmanager over API v2. <see cref="SetRulesAsync"/> rewrites the rule file and reloads it
/// through <c>/-/reload</c>, so a test can start and stop an alert.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusProcess(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Url { get; }

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

    private string RulesFile => Path.Combine(_directory, "rules.yml");

    public static async Task<PrometheusProcess> StartAsync(Uri alertmanager, string rules)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's prometheus package");
        var directory = Directory.CreateTempSubdirectory("prometheus-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "rules.yml"), rules);
        // Prometheus authenticates to an Alertmanager that needs a token as operators configure it.
        var authorization = BearerTokens.For(alertmanager) is { } token ? $"\n      authorization:\n        credentials: {token}" : "";
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
            global:
              evaluation_interval: 1s
              scrape_interval: 1m
            alerting:
              alertmanagers:
                - api_version: v2{authorization}
                  static_configs:
                    - targets: ['{alertmanager.Authority}']
            rule_files: ['rules.yml']
            """);
        var port = TestService.FreePort();
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
        {
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            $"--web.external-url=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/",
            "--web.enable-lifecycle",
            "--rules.alert.resend-delay=1s",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var running = new PrometheusProcess(Process.Start(start)!, directory, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        await running.WaitReadyAsync();
        return running;
    }

    /// <summary>Replaces the rule file and has Prometheus load it; fails if Prometheus refuses it.</summary>
    public async Task SetRulesAsync(string rules)
    {
        await File.WriteAllTextAsync(RulesFile, rules);
        using var response = await _http.PostAsync(new Uri(Url, "-/reload"), null);
        Assert.True(response.IsSuccessStatusCode, $"Prometheus did not reload its rules: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri(Url, "-/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.False(_process.HasExited, $"prometheus exited during start-up:\n{Output}");
            await Task.Delay(100);
        }

        throw new TimeoutException($"prometheus did not become ready within 30s:\n{Output}");
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
