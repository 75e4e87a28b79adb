using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Telemetry;

/// <summary>The real executable's log, as an operator configures it: the sinks configured and no other, every event enriched.</summary>
public sealed class LoggingConfigurationTests
{
    [Fact]
    public async Task AConfiguredSinkIsTheOnlyOneAndItsEventsCarryVersionInstanceAndExceptionStacks()
    {
        var directory = Directory.CreateTempSubdirectory("slomonitor-logging-").FullName;
        try
        {
            var log = Path.Combine(directory, "slomonitor.json");
            var httpPort = TestService.FreePort();
            // Nothing listens on this port: the service starts without its database, and what reads it logs why.
            var environment = ServiceProcess.LoopbackEnvironment($"Host=127.0.0.1;Port={TestService.FreePort()};Username=nobody;Timeout=2", httpPort);
            environment["Serilog__WriteTo__0__Name"] = "File";
            environment["Serilog__WriteTo__0__Args__path"] = log;
            environment["Serilog__WriteTo__0__Args__formatter"] = "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact";
            environment["Serilog__WriteTo__0__Args__flushToDiskInterval"] = "00:00:00.200";
            environment["SloMonitor__Instance"] = "logging-test-7";
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(5) };
            using var service = ServiceProcess.Start(environment);

            List<JsonElement> events = [];
            Assert.True(await ServiceProcess.PollAsync(() =>
            {
                events = Read(log);
                return Task.FromResult(events.Any(e => e.TryGetProperty("@x", out _)) && events.Any(e => Template(e).StartsWith("Now listening on", StringComparison.Ordinal)));
            }, TimeSpan.FromSeconds(60)), service.Output);
            Assert.True((await http.GetAsync("healthz")).IsSuccessStatusCode);

            Assert.All(events, e =>
            {
                Assert.Equal("logging-test-7", e.GetProperty("Instance").GetString());
                Assert.False(string.IsNullOrEmpty(e.GetProperty("ServiceVersion").GetString()));
            });

            // The exception is written whole: type, message and the frames it came through.
            var failure = events.First(e => e.TryGetProperty("@x", out _)).GetProperty("@x").GetString()!;
            Assert.Contains("Exception", failure, StringComparison.Ordinal);
            Assert.Contains("   at ", failure, StringComparison.Ordinal);

            // The console gets nothing on top of the configured sink.
            Assert.DoesNotContain("Now listening on", service.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Hosting environment", service.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Template(JsonElement e) => e.TryGetProperty("@mt", out var template) ? template.GetString() ?? "" : "";

    private static List<JsonElement> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var events = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[^1] == '}')
            {
                events.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return events;
    }
}
