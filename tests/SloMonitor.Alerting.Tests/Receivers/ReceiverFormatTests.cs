using System.Text.Json;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Receivers;

public sealed class ReceiverFormatTests
{
    [Fact]
    public async Task TheWebhookBodyIsAlertmanagersVersion4Format()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var yaml = $"""
            route:
              receiver: hook
              groupBy: [service]
              groupWait: 0s
            receivers:
              - name: hook
                webhook:
                  url: {receiver.Url}alerts
                  maxAlerts: 1
            """;
        await using var h = await AlertingHarness.StartAsync(yaml);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(TestAlerts.Slo("a", "page", now), TestAlerts.Slo("b", "page", now));
        await h.TickAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/alerts", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        var body = request.Json;
        Assert.Equal("4", body.GetProperty("version").GetString());
        Assert.Equal("{}:{service=\"checkout\"}", body.GetProperty("groupKey").GetString());
        Assert.Equal(1, body.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("firing", body.GetProperty("status").GetString());
        Assert.Equal("hook", body.GetProperty("receiver").GetString());
        Assert.Equal("checkout", body.GetProperty("groupLabels").GetProperty("service").GetString());
        Assert.Equal("page", body.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.False(body.GetProperty("commonLabels").TryGetProperty("slo", out _));
        Assert.Equal(JsonValueKind.Object, body.GetProperty("commonAnnotations").ValueKind);
        Assert.Equal("https://slomonitor.example.com", body.GetProperty("externalURL").GetString());
        var alert = Assert.Single(body.GetProperty("alerts").EnumerateArray());
        Assert.Equal("firing", alert.GetProperty("status").GetString());
        Assert.Equal("SloBurnRate", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.StartsWith("https://runbooks.example.com/", alert.GetProperty("annotations").GetProperty("runbook_url").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("https://slomonitor.example.com/slos/", alert.GetProperty("annotations").GetProperty("dashboard_url").GetString(), StringComparison.Ordinal);
        Assert.Equal(now, alert.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal("0001-01-01T00:00:00Z", alert.GetProperty("endsAt").GetString());
        Assert.StartsWith("https://slomonitor.example.com/slos/", alert.GetProperty("generatorURL").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{16}$", alert.GetProperty("fingerprint").GetString());
        Assert.Matches("^[0-9a-f]{32}$", request.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task PagerDutyGetsOneEventPerAlertKeyedByFingerprintWithRunbookLinksAndAResolveForEach()
    {
        await using var pagerDuty = await RecordingReceiver.StartAsync();
        var variable = "PD_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "pd-routing-key-secret-1");
        var yaml = $$"""
            route:
              receiver: pd
              groupBy: [service]
              groupWait: 0s
              groupInterval: 1m
            receivers:
              - name: pd
                pagerduty:
                  routingKey: ${{{variable}}}
                  url: {{pagerDuty.Url}}v2/enqueue
            """;
        await using var h = await AlertingHarness.StartAsync(yaml);
        var now = h.Time.GetUtcNow();
        var first = TestAlerts.Slo("a", "page", now);
        await h.SubmitAsync(first, TestAlerts.Slo("b", "ticket", now));
        await h.TickAsync();

        var triggers = pagerDuty.Requests.Select(r => r.Json).ToList();
        Assert.Equal(2, triggers.Count);
        Assert.Equal(2, triggers.Select(t => t.GetProperty("dedup_key").GetString()).Distinct().Count());
        var page = triggers.Single(t => t.GetProperty("payload").GetProperty("group").GetString() == "a");
        Assert.Equal("/v2/enqueue", pagerDuty.Requests[0].Path);
        Assert.Equal("pd-routing-key-secret-1", page.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", page.GetProperty("event_action").GetString());
        Assert.Equal("critical", page.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Equal("a is burning its error budget", page.GetProperty("payload").GetProperty("summary").GetString());
        Assert.Equal("checkout", page.GetProperty("payload").GetProperty("source").GetString());
        var links = page.GetProperty("links").EnumerateArray().ToDictionary(l => l.GetProperty("text").GetString()!, l => l.GetProperty("href").GetString());
        Assert.Equal("https://runbooks.example.com/a", links["Runbook"]);
        Assert.Equal("https://slomonitor.example.com/slos/a", links["Dashboard"]);
        Assert.Equal("warning", triggers.Single(t => t.GetProperty("payload").GetProperty("group").GetString() == "b").GetProperty("payload").GetProperty("severity").GetString());

        await h.SubmitAsync(TestAlerts.Resolved(first, h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        var resolve = Assert.Single(pagerDuty.Requests.Skip(2), r => r.Json.GetProperty("event_action").GetString() == "resolve").Json;
        Assert.Equal(page.GetProperty("dedup_key").GetString(), resolve.GetProperty("dedup_key").GetString());
    }

    [Fact]
    public async Task SlackGetsAMessageWithTheSummaryAndRunbookLinkFromASecretUrlFile()
    {
        await using var slack = await RecordingReceiver.StartAsync();
        var urlFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(urlFile, $"{slack.Url}services/T000/B000/secret-token-abc\n");
        try
        {
            var yaml = $"""
                route:
                  receiver: slack
                  groupWait: 0s
                receivers:
                  - name: slack
                    slack:
                      urlFile: {urlFile}
                      channel: "#payments-oncall"
                """;
            await using var h = await AlertingHarness.StartAsync(yaml);
            await h.SubmitAsync(TestAlerts.Slo("checkout-availability", "page", h.Time.GetUtcNow()));
            await h.TickAsync();

            var request = Assert.Single(slack.Requests);
            Assert.Equal("/services/T000/B000/secret-token-abc", request.Path);
            Assert.Equal("#payments-oncall", request.Json.GetProperty("channel").GetString());
            Assert.StartsWith("[FIRING:1]", request.Json.GetProperty("text").GetString(), StringComparison.Ordinal);
            var attachment = request.Json.GetProperty("attachments")[0];
            Assert.Equal("danger", attachment.GetProperty("color").GetString());
            var text = attachment.GetProperty("text").GetString()!;
            Assert.Contains("checkout-availability is burning its error budget", text, StringComparison.Ordinal);
            Assert.Contains("<https://runbooks.example.com/checkout-availability|Runbook>", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(urlFile);
        }
    }

    [Fact]
    public async Task SecretsOfFailingReceiversNeverReachTheLogs()
    {
        await using var down = await RecordingReceiver.StartAsync();
        down.Respond = (_, _, _) => Task.FromResult(500);
        var variable = "PD_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "pd-key-never-logged");
        var slackVariable = "SLACK_URL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(slackVariable, $"{down.Url}services/T1/B1/slack-token-never-logged");
        var yaml = $$"""
            route:
              receiver: pd
              groupWait: 0s
              routes:
                - matchers: ['severity="page"']
                  receiver: slack
                  continue: true
            receivers:
              - name: pd
                pagerduty:
                  routingKey: ${{{variable}}}
                  url: {{down.Url}}enqueue
              - name: slack
                slack:
                  url: ${{{slackVariable}}}
            """;
        await using var h = await AlertingHarness.StartAsync(yaml);
        await h.SubmitAsync(TestAlerts.Slo("a", "page", h.Time.GetUtcNow()), TestAlerts.Slo("b", "ticket", h.Time.GetUtcNow()));
        for (var i = 0; i < 5; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        }

        Assert.True(down.Requests.Count >= 4);
        Assert.Contains(h.Logs.Lines, l => l.Contains("HTTP 500", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Logs.Lines, l => l.Contains("never-logged", StringComparison.Ordinal));
    }
}
