using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Views;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Views;

/// <summary>The routing file as an Alertmanager configuration, read back by the real amtool (Alertmanager's loader).</summary>
public sealed class AlertmanagerConfigYamlTests
{
    [Fact]
    public async Task TheExampleRoutingFileRendersAsAConfigurationAlertmanagerLoadsWithoutItsSecrets()
    {
        var secrets = new Dictionary<string, string>
        {
            ["PAGERDUTY_ROUTING_KEY"] = "pd-key-0123456789",
            ["SLACK_WEBHOOK_URL"] = "https://hooks.slack.com/services/T000/B000/slack-secret-xyz",
        };
        var config = AlertingConfigLoader.Parse(await File.ReadAllTextAsync("alerting.yaml"), "alerting.yaml", name => secrets.GetValueOrDefault(name));
        var yaml = AlertmanagerConfigYaml.Render(config, new AlertingOptions());

        var check = await CheckAsync(yaml);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("SUCCESS", check.Output, StringComparison.Ordinal);
        Assert.Contains("1 inhibit rules", check.Output, StringComparison.Ordinal);
        Assert.Contains("4 receivers", check.Output, StringComparison.Ordinal);
        foreach (var secret in secrets.Values.Append("slack-secret-xyz"))
        {
            Assert.DoesNotContain(secret, yaml, StringComparison.Ordinal);
        }

        Assert.Contains("# maintenance window orders-db-maintenance: [service=\"orders\"] sunday from 02:00 for 2h (UTC)", yaml, StringComparison.Ordinal);
        Assert.Contains("# receiver upstream-alertmanager: forwards to the Alertmanager at http://alertmanager.monitoring:9093", yaml, StringComparison.Ordinal);
        Assert.Contains("resolve_timeout: 5m", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesValuesAndIntervalsThatYamlCouldMisreadRoundTripThroughAlertmanager()
    {
        var config = AlertingConfigLoader.Parse("""
            route:
              receiver: "on"
              groupBy: ['...']
              groupWait: 0s
              groupInterval: 90s
              routes:
                - matchers: ['summary="say \"hi\" \\ bye"', 'team!~"a|b"']
                  receiver: "123"
                  groupBy: [team]
                - matchers: ['env="prod"']
                  groupBy: ['...']
                  repeatInterval: 1h30m
            inhibitRules: []
            receivers:
              - name: "on"
              - name: "123"
                webhook: { url: "${env:HOOK_URL}", sendResolved: false, maxAlerts: 5 }
            """, "alerting.yaml", name => name == "HOOK_URL" ? "https://user:pw@hooks.example:8443/path/token?x=1" : null);
        var yaml = AlertmanagerConfigYaml.Render(config, new AlertingOptions { ExternalResolveTimeout = TimeSpan.FromMinutes(2) });

        var check = await CheckAsync(yaml);
        Assert.True(check.ExitCode == 0, check + "\n" + yaml);
        var routes = await RoutesAsync(yaml, "config", "routes");
        Assert.Contains("default-route  receiver: on", routes.Output, StringComparison.Ordinal);
        Assert.Contains("{summary=\"say \\\"hi\\\" \\\\ bye\",team!~\"a|b\"}  receiver: 123", routes.Output, StringComparison.Ordinal);
        Assert.Contains("{env=\"prod\"}  receiver: on", routes.Output, StringComparison.Ordinal);
        Assert.Equal("123", (await RoutesAsync(yaml, "config", "routes", "test", "summary=\"say \\\"hi\\\" \\\\ bye\"", "team=c")).Output.Trim());
        Assert.Equal("on", (await RoutesAsync(yaml, "config", "routes", "test", "summary=\"say \\\"hi\\\" \\\\ bye\"", "team=a")).Output.Trim());
        Assert.DoesNotContain("inhibit_rules", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("token", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", yaml, StringComparison.Ordinal);
        Assert.Contains("url: 'https://hooks.example:8443/%3Csecret%3E'", yaml, StringComparison.Ordinal);
        Assert.Contains("repeat_interval: 90m", yaml, StringComparison.Ordinal);
        Assert.Contains("group_interval: 90s", yaml, StringComparison.Ordinal);
        Assert.Contains("group_wait: 0s", yaml, StringComparison.Ordinal);
    }

    private static async Task<AmtoolRun> CheckAsync(string yaml) => await WithFileAsync(yaml, file => Amtool.RunRawAsync("check-config", file));

    private static async Task<AmtoolRun> RoutesAsync(string yaml, params string[] args) =>
        await WithFileAsync(yaml, file => Amtool.RunRawAsync([.. args, "--config.file=" + file]));

    private static async Task<AmtoolRun> WithFileAsync(string yaml, Func<string, Task<AmtoolRun>> run)
    {
        var file = Path.Combine(Path.GetTempPath(), $"alertmanager-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return await run(file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
