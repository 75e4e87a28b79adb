using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>A composite SLO through the real host: fed by its parts' OTLP spans, with its own status, gate and report row.</summary>
public sealed class CompositeSloApiTests
{
    private const string Slos = """
        slos:
          - name: pay
            service: checkout
            objective: 99
            sli: {kind: availability, match: 'http.route="/api/pay"'}
          - name: find
            service: checkout
            objective: 99
            sli: {kind: availability, match: 'http.route="/api/find"'}
          - name: journey
            service: checkout
            objective: 90
            policy: {freezeBelow: 0}
            sli: {kind: composite, combine: events, parts: [{slo: pay, weight: 3}, {slo: find}]}
        """;

    [Fact]
    public async Task ACompositeIsReadFromItsPartsAndHasItsOwnStatusGateAndReportRow()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, Settings = { ["Slos:EvaluationInterval"] = "01:00:00" } });
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 100, 50);
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/find", 100, 0);
        await service.EvaluateRoundAsync();

        var journey = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/journey");
        var window = journey.GetProperty("status").GetProperty("windows").GetProperty("30d");
        Assert.Equal((150 + 100, 300 + 100), (window.GetProperty("good").GetInt64(), window.GetProperty("total").GetInt64()));
        Assert.Equal("composite", journey.GetProperty("sli").GetProperty("kind").GetString());
        Assert.Equal(["pay", "find"], journey.GetProperty("sli").GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("slo").GetString()));

        var gate = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/gates/checkout");
        Assert.False(gate.GetProperty("allow").GetBoolean()); // 37.5 % bad against a 10 % budget
        Assert.Contains(gate.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("slo").GetString() == "journey");

        var now = DateTimeOffset.UtcNow;
        var report = await service.Http.GetFromJsonAsync<JsonElement>($"api/v1/reports?from={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}");
        var row = report.GetProperty("slos").EnumerateArray().Single(r => r.GetProperty("slo").GetString() == "journey");
        Assert.Equal((400, 150), (row.GetProperty("totalEvents").GetInt64(), row.GetProperty("badEvents").GetInt64()));
        Assert.False(row.GetProperty("objectiveMet").GetBoolean());
    }

    [Fact]
    public async Task ACompositePutThroughTheApiComesBackAsWrittenAndABadOneIsA400NamingItsField()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        var put = await service.Http.PutAsync("api/v1/slos/journey-by-ratio", Json("""
            {"service": "checkout", "objective": 95, "sli": {"kind": "composite", "combine": "ratio", "parts": [{"slo": "pay", "weight": 0.5}, {"slo": "find"}]}}
            """));
        var bad = await service.Http.PutAsync("api/v1/slos/journey-bad", Json("""
            {"service": "checkout", "objective": 95, "sli": {"kind": "composite", "parts": [{"slo": "pay", "weight": -1}]}}
            """));

        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var sli = (await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/journey-by-ratio")).GetProperty("sli");
        Assert.Equal("ratio", sli.GetProperty("combine").GetString());
        Assert.Equal([("pay", 0.5), ("find", 1.0)], sli.GetProperty("parts").EnumerateArray().Select(p => (p.GetProperty("slo").GetString(), p.GetProperty("weight").GetDouble())));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("weight", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
