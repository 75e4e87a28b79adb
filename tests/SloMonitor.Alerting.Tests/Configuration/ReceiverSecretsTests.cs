using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Alerting.Views;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Configuration;

/// <summary>
/// Secrets of receivers come from the environment (<c>${env:NAME}</c>, <c>${NAME}</c>) or from files
/// (<c>urlFile</c>, <c>routingKeyFile</c>, <c>tokenFile</c>); written in the routing file they are refused naming the
/// field, and they are shown as <c>&lt;secret&gt;</c> wherever receivers are shown.
/// </summary>
public sealed class ReceiverSecretsTests
{
    private static AlertingConfig Parse(string yaml, Dictionary<string, string>? environment = null) =>
        AlertingConfigLoader.Parse(yaml, "alerting.yaml", name => environment?.GetValueOrDefault(name));

    private static string Error(string yaml) => Assert.Throws<AlertingConfigException>(() => Parse(yaml)).Message;

    private static string Receiver(string integration) => $"route:\n  receiver: r\nreceivers:\n  - name: r\n    {integration}\n";

    [Theory]
    [InlineData("pagerduty: { routingKey: R0UT1NGK3Y }", "receivers[0].pagerduty.routingKey: is a secret and must not be written in the routing file: use ${env:NAME} or routingKeyFile")]
    [InlineData("slack: { url: 'https://hooks.slack.com/services/T0/B0/XyZ' }", "receivers[0].slack.url: is a secret and must not be written in the routing file: use ${env:NAME} or urlFile")]
    [InlineData("webhook: { url: 'https://hooks.example.com/alerts', token: s3cr3t-bearer }", "receivers[0].webhook.token: is a secret and must not be written in the routing file")]
    [InlineData("alertmanager: { url: 'http://am:9093', token: s3cr3t-bearer }", "receivers[0].alertmanager.token: is a secret")]
    [InlineData("webhook: { url: 'https://bot:hunter2@hooks.example.com/alerts' }", "receivers[0].webhook.url: carries user info, a secret that must not be written in the routing file")]
    [InlineData("webhook: { url: 'https://hooks.example.com/alerts?api_key=abc123' }", "receivers[0].webhook.url: carries the query parameter 'api_key'")]
    public void ASecretWrittenInTheRoutingFileIsRefusedNamingTheFieldNotTheValue(string integration, string message)
    {
        var error = Error(Receiver(integration));
        Assert.Contains(message, error, StringComparison.Ordinal);
        foreach (var value in new[] { "R0UT1NGK3Y", "XyZ", "s3cr3t-bearer", "hunter2", "abc123" })
        {
            Assert.DoesNotContain(value, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AWebhookUrlWithoutSecretsMayBeWrittenAndSecretsComeFromTheEnvironmentInEitherStyle()
    {
        var config = Parse(
            """
            route:
              receiver: hook
            receivers:
              - name: hook
                webhook: { url: 'https://hooks.example.com/alerts?team=payments', token: '${env:HOOK_TOKEN}' }
              - name: pd
                pagerduty: { routingKey: '${PD_KEY}' }
              - name: slack
                slack: { url: '${env:SLACK_URL}' }
            """,
            new Dictionary<string, string> { ["HOOK_TOKEN"] = "bearer-1", ["PD_KEY"] = "pd-1", ["SLACK_URL"] = "https://hooks.slack.com/services/T/B/X" });
        Assert.Equal("https://hooks.example.com/alerts?team=payments", config.Receivers["hook"].Url!.ToString());
        Assert.Equal("bearer-1", config.Receivers["hook"].Token);
        Assert.Equal("pd-1", config.Receivers["pd"].RoutingKey);
        Assert.Equal("https://hooks.slack.com/services/T/B/X", config.Receivers["slack"].Url!.ToString());
        Assert.Contains("environment variable MISSING is not set", Error(Receiver("pagerduty: { routingKey: '${env:MISSING}' }")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWebhookTokenFromAFileIsSentAsABearerTokenAndShownAsSecretInTheAlertmanagerView()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "hook-bearer-secret-7\n");
        try
        {
            var yaml = $"""
                route:
                  receiver: hook
                  groupWait: 0s
                receivers:
                  - name: hook
                    webhook:
                      url: {receiver.Url}alerts
                      tokenFile: {tokenFile}
                """;
            await using var h = await AlertingHarness.StartAsync(yaml);
            var now = h.Time.GetUtcNow();
            await h.SubmitAsync(TestAlerts.Slo("a", "page", now));
            await h.TickAsync();

            var request = Assert.Single(receiver.Requests);
            Assert.Equal("Bearer hook-bearer-secret-7", request.Header("Authorization"));

            var view = AlertmanagerConfigYaml.Render(AlertingConfigLoader.Parse(yaml, "alerting.yaml"), new AlertingOptions());
            Assert.DoesNotContain("hook-bearer-secret-7", view, StringComparison.Ordinal);
            Assert.Matches("credentials: '?<secret>'?", view);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
