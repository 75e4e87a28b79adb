using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using SloMonitor.Alerting.Tests.Support;

namespace SloMonitor.Alerting.Tests.Integration;

/// <summary>Against the real Alertmanager (Debian's prometheus-alertmanager) as the upstream receiver.</summary>
public sealed class UpstreamAlertmanagerTests
{
    private const string Binary = "/usr/bin/prometheus-alertmanager";

    [Fact]
    public async Task TheUpstreamAlertmanagerShowsTheAlertFiringWithTheSameFingerprintAndThenResolved()
    {
        await using var alertmanager = await AlertmanagerProcess.StartAsync();
        var yaml = $"""
            route:
              receiver: upstream
              groupWait: 0s
              groupInterval: 1s
            receivers:
              - name: upstream
                alertmanager:
                  url: {alertmanager.Url}
            """;
        await using var h = await AlertingHarness.StartAsync(yaml, TimeProvider.System);
        var alert = TestAlerts.Slo("checkout-availability", "page", h.Clock.GetUtcNow());
        await h.SubmitAsync(alert);
        await h.TickAsync();

        var shown = Assert.Single(await alertmanager.AlertsAsync());
        Assert.Equal("active", shown.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("checkout-availability", shown.GetProperty("labels").GetProperty("slo").GetString());
        Assert.Equal("https://runbooks.example.com/checkout-availability", shown.GetProperty("annotations").GetProperty("runbook_url").GetString());
        var incident = await h.SingleOpenIncidentAsync("checkout-availability");
        Assert.Equal(incident.Fingerprint, shown.GetProperty("fingerprint").GetString());

        await h.SubmitAsync(TestAlerts.Resolved(alert, h.Clock.GetUtcNow()));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        IReadOnlyList<JsonElement> remaining;
        do
        {
            await Task.Delay(200);
            await h.TickAsync();
            remaining = await alertmanager.AlertsAsync();
        }
        while (remaining.Count > 0 && DateTimeOffset.UtcNow < deadline);

        Assert.Empty(remaining);
    }

    private sealed class AlertmanagerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;
        private readonly HttpClient _http = new();

        private AlertmanagerProcess(Process process, string directory, Uri url)
        {
            _process = process;
            _directory = directory;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<AlertmanagerProcess> StartAsync()
        {
            Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's prometheus-alertmanager package");
            var directory = Directory.CreateTempSubdirectory("alertmanager-").FullName;
            var config = Path.Combine(directory, "alertmanager.yml");
            await File.WriteAllTextAsync(config, "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
            var port = FreePort();
            var start = new ProcessStartInfo(Binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { $"--config.file={config}", $"--storage.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var running = new AlertmanagerProcess(process, directory, new Uri($"http://127.0.0.1:{port}/"));
            await running.WaitReadyAsync();
            return running;
        }

        public async Task<IReadOnlyList<JsonElement>> AlertsAsync()
        {
            var alerts = await _http.GetFromJsonAsync<JsonElement>(new Uri(Url, "api/v2/alerts"));
            return alerts.EnumerateArray().ToList();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            _http.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private async Task WaitReadyAsync()
        {
            for (var attempt = 0; attempt < 100; attempt++)
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

                Assert.False(_process.HasExited, "alertmanager exited during start-up");
                await Task.Delay(100);
            }

            throw new TimeoutException("alertmanager did not become ready within 10s");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
