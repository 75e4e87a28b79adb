using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Alerting;

/// <summary>The real Prometheus (Debian's package) with SloMonitor configured as its Alertmanager (API v2).</summary>
public sealed class PrometheusAlertmanagerTests
{
    private const string Firing = """
        groups:
          - name: storage
            rules:
              - alert: VolumeAlmostFull
                expr: vector(1)
                labels: {severity: page, service: storage}
                annotations: {summary: "volume data-7 is 97% full", runbook_url: "https://runbooks.example/volumes"}
        """;

    // The same rule, whose expression no longer returns anything: Prometheus resolves the alert.
    private const string Stopped = """
        groups:
          - name: storage
            rules:
              - alert: VolumeAlmostFull
                expr: vector(1) > 1
                labels: {severity: page, service: storage}
                annotations: {summary: "volume data-7 is 97% full", runbook_url: "https://runbooks.example/volumes"}
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AFiringPrometheusRuleOpensOneIncidentThatResolvesWhenTheRuleStops()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Alerting:TickInterval"] = "100ms" } });
        await using var prometheus = await PrometheusProcess.StartAsync(service.BaseAddress, Firing);

        var alert = await Poll.UntilAsync(() => AlertsAsync(service), a => a.Count == 1, Patience, "the alert from Prometheus");
        var first = alert[0];
        Assert.Equal("VolumeAlmostFull", first.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("active", first.GetProperty("status").GetProperty("state").GetString());
        Assert.StartsWith(prometheus.Url.ToString(), first.GetProperty("generatorURL").GetString(), StringComparison.Ordinal);

        // Prometheus sends the firing alert again every second; it stays one alert with one incident.
        var updatedAt = first.GetProperty("updatedAt").GetDateTimeOffset();
        await Poll.UntilAsync(() => AlertsAsync(service), a => a.Count == 1 && a[0].GetProperty("updatedAt").GetDateTimeOffset() > updatedAt, Patience, "a resend from Prometheus");
        var incident = Assert.Single(await IncidentsAsync(service));
        Assert.Equal("triggered", incident.GetProperty("state").GetString());
        Assert.Equal("page", incident.GetProperty("severity").GetString());
        Assert.Equal("volume data-7 is 97% full", incident.GetProperty("title").GetString());
        Assert.Equal(first.GetProperty("fingerprint").GetString(), incident.GetProperty("fingerprint").GetString());
        Assert.Equal(first.GetProperty("startsAt").GetDateTimeOffset(), (await AlertsAsync(service))[0].GetProperty("startsAt").GetDateTimeOffset());

        await prometheus.SetRulesAsync(Stopped);
        var resolved = await Poll.UntilAsync(() => IncidentsAsync(service), i => i.Count == 1 && i[0].GetProperty("state").GetString() == "resolved", Patience, "the resolve from Prometheus");
        Assert.Single(resolved);
        Assert.Empty(await AlertsAsync(service));
        var detail = await service.Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{resolved[0].GetProperty("id").GetInt64()}");
        var end = Assert.Single(detail.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() == "resolved");
        Assert.Equal("source", end.GetProperty("actor").GetString());
    }

    private static async Task<List<JsonElement>> AlertsAsync(TestService service) =>
        (await service.Http.GetFromJsonAsync<JsonElement>("/api/v2/alerts")).EnumerateArray().ToList();

    private static async Task<List<JsonElement>> IncidentsAsync(TestService service) =>
        (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents")).EnumerateArray().ToList();
}
