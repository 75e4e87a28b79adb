using System.Net;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// Every endpoint the service maps (from its own endpoint data source, so a new one is covered the day it lands) is
/// asked by a token of another tenant holding every scope, about objects the default tenant owns under the names the
/// sweep uses. None of those objects may show in any answer, and none may change.
/// </summary>
public sealed class TenantIsolationTests
{
    private const string Marker = "DEFAULT-TENANT-ONLY";

    private const string AlertingYaml = """
        route:
          receiver: nobody
          groupBy: [alertname]
        receivers:
          - name: nobody
        """;

    [Fact]
    public async Task EveryEndpointShowsAnotherTenantNothingOfTheDefaultTenantsObjectsAndChangesNoneOfThem()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { AlertingYaml = AlertingYaml });
        await SeedAsync(service);
        var (_, globex) = await service.TenantClientAsync("globex", "globex-everything", "ingest", "read", "write", "respond", "admin");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();
        foreach (var (key, method, path) in EndpointCoverageTests.Listed(service))
        {
            var answer = await EndpointCoverageTests.AskAsync(http, service, method, path, globex);
            if (answer.Status >= 500)
            {
                failures.Add($"{key}: {answer.Status} {answer.Body}");
            }
            else if (answer.Body.Contains(Marker, StringComparison.Ordinal) || answer.Body.Contains("slo=\"x\"", StringComparison.Ordinal))
            {
                failures.Add($"{key}: shows the default tenant's objects: {answer.Body[..Math.Min(answer.Body.Length, 400)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Nothing of the default tenant changed under the other tenant's deletes, acks and writes.
        var slo = await service.Http.GetStringAsync("/api/v1/slos/x");
        Assert.Contains(Marker + " slo", slo, StringComparison.Ordinal);
        Assert.Contains(Marker + " adjustment", await service.Http.GetStringAsync("/api/v1/slos/x/adjustments"), StringComparison.Ordinal);
        Assert.Contains(Marker + " override", await service.Http.GetStringAsync("/api/v1/gates/x"), StringComparison.Ordinal);
        using var incident = JsonDocument.Parse(await service.Http.GetStringAsync("/api/v1/incidents/1"));
        Assert.Equal("triggered", incident.RootElement.GetProperty("state").GetString());
        Assert.Contains(Marker + " silence", await service.Http.GetStringAsync("/api/v1/silences"), StringComparison.Ordinal);
        Assert.Contains("\"state\":\"active\"", await service.Http.GetStringAsync("/api/v1/silences"), StringComparison.Ordinal);
    }

    /// <summary>The default tenant's objects, named as the sweep's paths name them (SLO and service <c>x</c>, id 1).</summary>
    private static async Task SeedAsync(TestService service)
    {
        await Send(service, HttpMethod.Put, "/api/v1/slos/x", $$$"""{"service": "x", "objective": 99, "description": "{{{Marker}}} slo", "sli": {"kind": "availability"}}""");
        var now = DateTimeOffset.UtcNow;
        await Send(service, HttpMethod.Post, "/api/v1/slos/x/adjustments", $$"""{"from": "{{now.AddHours(-2):O}}", "to": "{{now.AddHours(-1):O}}", "reason": "{{Marker}} adjustment"}""");
        await Send(service, HttpMethod.Post, "/api/v1/gates/x/overrides", $$"""{"reason": "{{Marker}} override", "duration": "1h"}""");
        await Send(service, HttpMethod.Post, "/api/v2/alerts", $$$"""[{"labels": {"alertname": "DiskFull", "service": "x", "severity": "page"}, "annotations": {"summary": "{{{Marker}}} incident"}}]""");
        await Poll.UntilAsync(() => service.Http.GetStringAsync("/api/v1/incidents"), text => text.Contains(Marker, StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the default tenant's incident");
        await Send(service, HttpMethod.Post, "/api/v1/silences", $$"""{"matchers": ["alertname=\"Other\""], "endsAt": "{{DateTimeOffset.UtcNow.AddHours(1):O}}", "comment": "{{Marker}} silence"}""");
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "x", "/x", count: 5, errors: 1);
        await service.EvaluateRoundAsync();
    }

    private static async Task Send(TestService service, HttpMethod method, string path, string json)
    {
        using var response = await service.Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
