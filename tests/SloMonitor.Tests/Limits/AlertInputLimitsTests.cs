using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Limits;

/// <summary><c>POST /api/v2/alerts</c> refuses input over its limits with a status and a message naming the limit.</summary>
public sealed class AlertInputLimitsTests
{
    private static readonly Dictionary<string, string?> Small = new()
    {
        ["Alerting:Api:MaxBodyBytes"] = "20000",
        ["Alerting:Api:MaxAlertsPerRequest"] = "3",
        ["Alerting:Api:MaxLabelsPerAlert"] = "4",
        ["Alerting:Api:MaxAnnotationsPerAlert"] = "2",
        ["Alerting:Api:MaxLabelNameLength"] = "20",
        ["Alerting:Api:MaxLabelValueLength"] = "50",
    };

    [Fact]
    public async Task AlertsOverTheInputLimitsAreRefusedNamingTheLimitAndAlertsWithinThemAreTaken()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = Small });

        await AssertRefusedAsync(service, Alerts(4), HttpStatusCode.RequestEntityTooLarge, "Alerting:Api:MaxAlertsPerRequest", "body");
        await AssertRefusedAsync(service, Alerts(1, labels: 5), HttpStatusCode.BadRequest, "Alerting:Api:MaxLabelsPerAlert", "[0].labels");
        await AssertRefusedAsync(service, Alerts(1, annotations: 3), HttpStatusCode.BadRequest, "Alerting:Api:MaxAnnotationsPerAlert", "[0].annotations");
        await AssertRefusedAsync(service, Alerts(1, name: new string('n', 21)), HttpStatusCode.BadRequest, "Alerting:Api:MaxLabelNameLength", "[0].labels");
        await AssertRefusedAsync(service, Alerts(1, value: new string('v', 51)), HttpStatusCode.BadRequest, "Alerting:Api:MaxLabelValueLength", "[0].labels.extra");

        using var huge = new StringContent("[" + new string(' ', 20_001) + "]", Encoding.UTF8, "application/json");
        await AssertRefusedAsync(service, huge, HttpStatusCode.RequestEntityTooLarge, "Alerting:Api:MaxBodyBytes", "body");

        using var fits = await service.Http.PostAsJsonAsync("/api/v2/alerts", Alerts(3, labels: 4, annotations: 2, name: new string('n', 20), value: new string('v', 50)));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task AnAlertBodySentSlowlyHoldsNoMoreThanWhatArrivedAndOthersAreStillTaken()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = new() { ["Alerting:Api:MaxBytesInFlight"] = "40000" } });
        using var slow = new System.Net.Sockets.TcpClient();
        await slow.ConnectAsync(service.BaseAddress.Host, service.BaseAddress.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/v2/alerts HTTP/1.1\r\nHost: {service.BaseAddress.Authority}\r\nAuthorization: Bearer {service.IngestToken}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n["));

        // The slow body holds a 16 KiB buffer of the 40,000 bytes; a normal request still fits beside it.
        using var normal = await service.Http.PostAsJsonAsync("/api/v2/alerts", Alerts(1));
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);

        // One that needs more than what is left is told to retry.
        using var big = new StringContent(JsonSerializer.Serialize(Alerts(1)).Replace("[{", "[" + new string(' ', 30_000) + "{", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        using var refused = await service.Http.PostAsync("/api/v2/alerts", big);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("Alerting:Api:MaxBytesInFlight", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task AssertRefusedAsync(TestService service, object alerts, HttpStatusCode status, string limit, string field)
    {
        using var content = alerts as HttpContent ?? JsonContent.Create(alerts);
        using var response = await service.Http.PostAsync("/api/v2/alerts", content);
        Assert.Equal(status, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(limit, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(field, body.GetProperty("field").GetString());
    }

    private static object[] Alerts(int count, int labels = 2, int annotations = 1, string name = "extra", string value = "x") =>
        Enumerable.Range(0, count).Select(i =>
        {
            var labelMap = new Dictionary<string, string> { ["alertname"] = "DiskFull" + i };
            for (var l = 1; l < labels; l++)
            {
                labelMap[l == 1 ? name : $"l{l}"] = value;
            }

            var annotationMap = Enumerable.Range(0, annotations).ToDictionary(a => $"a{a}", a => "text");
            return (object)new { labels = labelMap, annotations = annotationMap };
        }).ToArray();
}
