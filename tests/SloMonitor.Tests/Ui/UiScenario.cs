using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>
/// The service with five SLOs and 340 requests per service pushed through OTLP so that they show every state:
/// checkout-availability pages (half the requests fail: all its POSTs, one of its two groups by span name), search-availability opens a ticket (4% errors against a
/// 1% budget), checkout-latency and catalog-latency are fine (fast requests) and billing-availability has no data.
/// </summary>
internal sealed class UiScenario : IAsyncDisposable
{
    public const string SloYaml = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99.9
            window: 30d
            labels: { team: payments, tier: "1" }
            runbookUrl: https://runbooks.example.com/checkout-availability
            groupBy: [span.name]
            sli: { kind: availability, source: spans, match: 'span.kind="server"' }
          - name: checkout-latency
            service: checkout
            objective: 99
            window: 30d
            labels: { team: payments }
            sli: { kind: latency, source: spans, match: 'span.kind="server"', threshold: 0.5 }
          - name: search-availability
            service: search
            objective: 99
            windows: [30d, 7d]
            labels: { team: discovery }
            sli: { kind: availability, source: spans, match: 'span.kind="server"' }
          - name: catalog-latency
            service: catalog
            objective: 99
            window: 30d
            labels: { team: discovery }
            runbookUrl: https://runbooks.example.com/catalog-latency
            sli: { kind: latency, source: spans, match: 'span.kind="server"', threshold: 0.5 }
          - name: billing-availability
            service: billing
            objective: 99.5
            window: 30d
            labels: { team: payments }
            sli: { kind: availability, source: spans, match: 'span.kind="server"' }
        """;

    public const string AlertingYaml = """
        route:
          receiver: on-call
          groupWait: 0s
          groupInterval: 1s
        receivers:
          - name: on-call
        """;

    public static readonly IReadOnlyDictionary<string, string> ExpectedStates = new Dictionary<string, string>
    {
        ["checkout-availability"] = "page",
        ["search-availability"] = "ticket",
        ["catalog-latency"] = "ok",
        ["checkout-latency"] = "ok",
        ["billing-availability"] = "nodata",
    };

    private UiScenario(TestService service) => Service = service;

    public TestService Service { get; }

    /// <summary>Starts the scenario; <paramref name="settings"/> are added to the service's configuration.</summary>
    public static async Task<UiScenario> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var options = new TestServiceOptions
        {
            SloYaml = SloYaml,
            AlertingYaml = AlertingYaml,
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.250" },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            options.Settings[key] = value;
        }

        var service = await TestService.StartAsync(options);
        try
        {
            // Two hours of steady traffic, so that the charts have a past, then a burst in the last minute.
            foreach (var (count, past) in new[] { (240, TimeSpan.FromHours(2)), (100, TimeSpan.FromMinutes(1)) })
            {
                await OtlpSpans.PushAsync(service.OtlpHttpEndpoint, "checkout", count, errors: count / 2, TimeSpan.FromMilliseconds(80), past);
                await OtlpSpans.PushAsync(service.OtlpHttpEndpoint, "search", count, errors: count / 25, TimeSpan.FromMilliseconds(40), past);
                await OtlpSpans.PushAsync(service.OtlpHttpEndpoint, "catalog", count, errors: 0, TimeSpan.FromMilliseconds(120), past);
            }

            var scenario = new UiScenario(service);
            await scenario.WaitForStatesAsync();
            return scenario;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (at most 30 s) until the API reports every SLO in its expected state.</summary>
    private async Task WaitForStatesAsync()
    {
        var seen = "";
        for (var attempt = 0; attempt < 120; attempt++)
        {
            using var slos = JsonDocument.Parse(await Service.Http.GetStringAsync("/api/v1/slos"));
            var states = slos.RootElement.EnumerateArray().ToDictionary(
                s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetProperty("state").GetString()!);
            seen = string.Join(", ", states.Select(kv => $"{kv.Key}={kv.Value}"));
            if (ExpectedStates.All(kv => states.GetValueOrDefault(kv.Key) == kv.Value))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the SLOs did not reach their expected states within 30 s; last seen: {seen}");
    }

    /// <summary>Waits (at most 30 s) for an open incident of the SLO with this severity, and returns its id.</summary>
    public async Task<long> WaitForIncidentAsync(string slo, string severity)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            using var incidents = JsonDocument.Parse(await Service.Http.GetStringAsync($"/api/v1/incidents?slo={slo}"));
            foreach (var incident in incidents.RootElement.EnumerateArray())
            {
                if (incident.GetProperty("state").GetString() != "resolved" && incident.GetProperty("severity").GetString() == severity)
                {
                    return incident.GetProperty("id").GetInt64();
                }
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"no {severity} incident was opened for {slo} within 30 s");
    }

    public ValueTask DisposeAsync() => Service.DisposeAsync();
}
