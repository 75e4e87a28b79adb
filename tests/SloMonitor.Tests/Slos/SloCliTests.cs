using System.Net;
using System.Text.Json;
using SloMonitor.Slos.Parsing;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>The real <c>SloMonitor apply</c> and <c>export</c> commands against the real service on loopback.</summary>
public sealed class SloCliTests : IDisposable
{
    private const string CheckoutFile = """
        slos:
          - name: cli-availability
            service: checkout
            objective: 99.9
            sli: {kind: availability, match: 'span.kind="server"'}
          - name: cli-latency
            service: checkout
            objective: 99
            sli: {kind: latency, threshold: 300ms}
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("slo-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ApplyPrintsTheDiffAndExitsZeroADryRunAppliesNothingAndPruneDeletes()
    {
        await using var service = await TestService.StartAsync();
        Write("slos/checkout.yaml", CheckoutFile);

        var created = await ApplyAsync(service, "-f", "slos", "--owner", "team-checkout");

        Assert.True(created.Code == 0, created.ToString());
        Assert.Contains("+ cli-availability: created (slos/checkout.yaml:2:5)\n+     name: cli-availability\n+     service: checkout\n+     objective: 99.9\n", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("+     sli.threshold: 0.3\n", created.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("applied: 2 created, 0 changed, 0 deleted, 0 unchanged\n", created.Stdout, StringComparison.Ordinal);

        Write("slos/checkout.yaml", CheckoutFile.Replace("objective: 99.9", "objective: 99.95", StringComparison.Ordinal).Replace("threshold: 300ms", "threshold: 250ms", StringComparison.Ordinal));
        var dryRun = await ApplyAsync(service, "-f", "slos", "--owner", "team-checkout", "--dry-run");

        Assert.True(dryRun.Code == 0, dryRun.ToString());
        Assert.Contains("~ cli-availability: changed (slos/checkout.yaml:2:5)\n-     objective: 99.9\n+     objective: 99.95\n~ cli-latency", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("-     sli.threshold: 0.3\n+     sli.threshold: 0.25\n!     its history restarts", dryRun.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("dry run: 0 to create, 2 to change, 0 to delete, 0 unchanged; nothing was applied\n", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(99.9, await ObjectiveAsync(service, "cli-availability"));

        Write("slos/checkout.yaml", CheckoutFile[..CheckoutFile.IndexOf("  - name: cli-latency", StringComparison.Ordinal)]);
        var pruned = await ApplyAsync(service, "-f", "slos", "--owner", "team-checkout", "--prune");

        Assert.True(pruned.Code == 0, pruned.ToString());
        Assert.Contains("- cli-latency: deleted\n-     name: cli-latency\n", pruned.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("cli-availability", pruned.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("applied: 0 created, 0 changed, 1 deleted, 1 unchanged\n", pruned.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/cli-latency")).StatusCode);
    }

    [Fact]
    public async Task AnInvalidOrRefusedSloMakesApplyExitOneWithItsLocationAndAppliesNothing()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = "- {name: browse-availability, service: search, objective: 99, sli: {kind: availability}}" });
        Write("slos/checkout.yaml", CheckoutFile);
        Write("slos/broken.yaml", "slos:\n  - name: broken\n    service: checkout\n    objective: 120\n    sli: {kind: availability}\n");

        var invalid = await ApplyAsync(service, "-f", "slos");

        Assert.True(invalid.Code == 1, invalid.ToString());
        Assert.Contains("x broken: invalid\n    slos/broken.yaml:4:16: slos[0].objective: must be a percentage above 0 and below 100", invalid.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 invalid, 0 refused: nothing was applied", invalid.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/cli-availability")).StatusCode);

        File.Delete(Path.Combine(_directory, "slos/broken.yaml"));
        Write("slos/search.yaml", "- {name: browse-availability, service: search, objective: 95, sli: {kind: availability}}\n");
        var refused = await ApplyAsync(service, "-f", "slos");

        Assert.True(refused.Code == 1, refused.ToString());
        Assert.Contains("x browse-availability: refused (slos/search.yaml:1:3): defined in the file slos.yaml on the server; change it there", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/cli-availability")).StatusCode);

        var missing = await ApplyAsync(service, "-f", "nowhere.yaml");
        Assert.True(missing.Code == 1, missing.ToString());
        Assert.Contains("nowhere.yaml: no such file or directory", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrorsAndAServerThatCannotBeReachedExitTwo()
    {
        Write("slos/checkout.yaml", CheckoutFile);
        var closedPort = TestService.FreePort();

        var noFiles = await CliProcess.RunAsync(_directory, null, "apply", "--server", "http://127.0.0.1:1");
        var unknown = await CliProcess.RunAsync(_directory, null, "apply", "-f", "slos", "--force");
        var badFormat = await CliProcess.RunAsync(_directory, null, "export", "--format", "sloth");
        var unreachable = await CliProcess.RunAsync(_directory, null, "apply", "-f", "slos", "--server", $"http://127.0.0.1:{closedPort}");

        var help = await CliProcess.RunAsync(_directory, null, "apply", "--help");

        Assert.Equal((2, 2, 2, 2, 0), (noFiles.Code, unknown.Code, badFormat.Code, unreachable.Code, help.Code));
        Assert.StartsWith("usage: SloMonitor apply -f PATH", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("usage: SloMonitor apply -f PATH", noFiles.Stderr, StringComparison.Ordinal);
        Assert.Contains("unknown option '--force'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("--format: only 'openslo' is supported", badFormat.Stderr, StringComparison.Ordinal);
        Assert.Contains($"cannot reach SloMonitor at http://127.0.0.1:{closedPort}/", unreachable.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportPrintsOpenSloThatApplyTakesBackUnchangedAndNamesWhatItLeavesOut()
    {
        await using var service = await TestService.StartAsync();
        Write("slos/checkout.yaml", CheckoutFile);
        Assert.Equal(0, (await ApplyAsync(service, "-f", "slos", "--owner", "team-checkout")).Code);

        var export = await CliProcess.RunAsync(_directory, Token(service), "export", "--format", "openslo", "--server", service.BaseAddress.ToString());

        Assert.True(export.Code == 0, export.ToString());
        var imported = SloParser.ParseYaml(export.Stdout, "export.yaml");
        Assert.True(imported.IsValid, string.Join("\n", imported.Errors));
        Assert.Equal(["cli-availability", "cli-latency"], imported.Definitions.Select(d => d.Name));
        Write("openslo/checkout.yaml", export.Stdout);
        var reapplied = await ApplyAsync(service, "-f", "openslo", "--owner", "team-checkout");
        Assert.True(reapplied.Code == 0, reapplied.ToString());
        Assert.Equal("applied: 0 created, 0 changed, 0 deleted, 2 unchanged\n", reapplied.Stdout);

        var put = await SloApplyApiTests.PutAsync(service, "fast-lag", """{"service": "db", "objective": 99, "sli": {"kind": "gauge", "metric": "lag", "threshold": 1, "timeslice": "30s"}}""");
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var partial = await CliProcess.RunAsync(_directory, Token(service), "export", "--server", service.BaseAddress.ToString());
        var one = await CliProcess.RunAsync(_directory, Token(service), "export", "--server", service.BaseAddress.ToString(), "fast-lag");

        Assert.True(partial.Code == 1, partial.ToString());
        Assert.Contains("not exported: fast-lag: timeslice 30s", partial.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, SloParser.ParseYaml(partial.Stdout, "export.yaml").Definitions.Count);
        Assert.True(one.Code == 1, one.ToString());
        Assert.Contains("SloMonitor answered 422: SLO 'fast-lag' cannot be expressed in OpenSLO", one.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheApiGivesOneSloOrTheListAsOpenSloYaml()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = CheckoutFile });

        using var one = await service.Http.GetAsync("api/v1/slos/cli-latency?format=openslo");
        using var list = await service.Http.GetAsync("api/v1/slos?format=openslo");
        using var bad = await service.Http.GetAsync("api/v1/slos?format=xml");

        Assert.Equal("application/yaml", one.Content.Headers.ContentType!.MediaType);
        var latency = Assert.Single(SloParser.ParseYaml(await one.Content.ReadAsStringAsync(), "one.yaml").Definitions);
        Assert.Equal(("cli-latency", 0.3), (latency.Name, latency.Sli.Threshold!.Value));
        Assert.Equal(2, SloParser.ParseYaml(await list.Content.ReadAsStringAsync(), "list.yaml").Definitions.Count);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("format", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/missing?format=openslo")).StatusCode);
    }

    [Fact]
    public async Task ApplyExportFilesLocallyAndSendsTheTokenFromTheEnvironmentAsABearerToken()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Status = 401;
        Write("slos/checkout.yaml", CheckoutFile);

        var withToken = await CliProcess.RunAsync(_directory, new Dictionary<string, string> { ["SLOMONITOR_TOKEN"] = "s3cret", ["SLOMONITOR_SERVER"] = receiver.Url.ToString() }, "apply", "-f", "slos");
        var without = await CliProcess.RunAsync(_directory, null, "apply", "-f", "slos", "--server", receiver.Url.ToString());
        var local = await CliProcess.RunAsync(_directory, null, "export", "-f", "slos");

        Assert.True(withToken.Code == 2, withToken.ToString());
        Assert.Contains("SloMonitor answered 401", withToken.Stderr, StringComparison.Ordinal);
        var requests = await receiver.WaitForAsync(2);
        Assert.Equal(("POST", "/api/v1/slos/apply", "Bearer s3cret"), (requests[0].Method, requests[0].Path, requests[0].Header("Authorization")));
        Assert.Equal("slos/checkout.yaml", requests[0].Json.GetProperty("files")[0].GetProperty("path").GetString());
        Assert.Null(requests[1].Header("Authorization"));
        Assert.True(local.Code == 0, local.ToString());
        Assert.Equal(2, SloParser.ParseYaml(local.Stdout, "local.yaml").Definitions.Count);
    }

    private Task<CliResult> ApplyAsync(TestService service, params string[] args) =>
        CliProcess.RunAsync(_directory, Token(service), ["apply", "--server", service.BaseAddress.ToString(), .. args]);

    private static Dictionary<string, string> Token(TestService service) => new() { ["SLOMONITOR_TOKEN"] = service.AdminToken };

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static async Task<double> ObjectiveAsync(TestService service, string name)
    {
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/" + name));
        return slo.RootElement.GetProperty("objective").GetDouble();
    }
}
