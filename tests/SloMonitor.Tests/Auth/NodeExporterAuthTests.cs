using System.Diagnostics;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// The OpenTelemetry JavaScript SDK exporters (the harness in tests/SloMonitor.Ingest.Tests/node), authenticated the
/// standard way, by <c>OTEL_EXPORTER_OTLP_HEADERS</c>, against the real service.
/// </summary>
public sealed class NodeExporterAuthTests
{
    private const string Slos = """
        slos:
          - name: node-availability
            service: node-protobuf
            objective: 99
            sli: {kind: availability, match: 'span.kind="server"'}
        """;

    [Fact]
    public async Task TheJavaScriptSdkExportsWithTheTokenFromTheStandardHeadersVariableAndIsRefusedWithoutIt()
    {
        var harness = RepositoryRoot.Combine("tests", "SloMonitor.Ingest.Tests", "node");
        await NodeModules.EnsureAsync(harness, Path.Combine("@opentelemetry", "sdk-trace-base"));
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        var baseUrl = service.OtlpHttpEndpoint.ToString().TrimEnd('/');

        var refused = await RunAsync(harness, baseUrl, headers: null);
        var accepted = await RunAsync(harness, baseUrl, headers: "Authorization=Bearer " + service.IngestToken);

        Assert.True(refused.Code != 0, refused.Output);
        Assert.Contains("traces: failed", refused.Output, StringComparison.Ordinal);
        Assert.True(accepted.Code == 0, accepted.Output);
        Assert.Contains("traces: ok", accepted.Output, StringComparison.Ordinal);
        await service.EvaluateRoundAsync();
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("/api/v1/slos/node-availability"));
        Assert.Equal(2, slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
    }

    private static async Task<(int Code, string Output)> RunAsync(string harness, string baseUrl, string? headers)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = harness, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("export.mjs");
        start.ArgumentList.Add(baseUrl);
        start.ArgumentList.Add("protobuf");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_HEADERS");
        if (headers is not null)
        {
            start.Environment["OTEL_EXPORTER_OTLP_HEADERS"] = headers;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
