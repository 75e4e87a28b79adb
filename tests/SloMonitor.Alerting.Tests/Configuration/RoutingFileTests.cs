using System.Globalization;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Receivers;

namespace SloMonitor.Alerting.Tests.Configuration;

public sealed class RoutingFileTests
{
    private static AlertingConfig Parse(string yaml, Dictionary<string, string>? environment = null) =>
        AlertingConfigLoader.Parse(yaml, "alerting.yaml", name => environment?.GetValueOrDefault(name));

    private static string Error(string yaml, Dictionary<string, string>? environment = null) =>
        Assert.Throws<AlertingConfigException>(() => Parse(yaml, environment)).Message;

    [Fact]
    public void UnsetIntervalsTakeAlertmanagersDefaultsAndAPageInhibitsTheTicketOfItsSlo()
    {
        var config = Parse("""
            route:
              receiver: team
            receivers:
              - name: team
            """);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Root.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(5), config.Root.GroupInterval);
        Assert.Equal(TimeSpan.FromHours(4), config.Root.RepeatInterval);
        var rule = Assert.Single(config.InhibitRules);
        Assert.Equal(["slo"], rule.Equal);
        Assert.Equal("severity=\"page\"", rule.SourceMatchers.Single().ToString());
        Assert.Equal("severity=\"ticket\"", rule.TargetMatchers.Single().ToString());
        Assert.Equal(ReceiverKind.None, config.Receivers["team"].Kind);
    }

    [Fact]
    public void ChildRoutesInheritSettingsAndMatchInOrderWithContinue()
    {
        var config = Parse("""
            route:
              receiver: default
              groupBy: [slo]
              groupWait: 10s
              routes:
                - matchers: ['severity="page"']
                  receiver: pager
                  continue: true
                  repeatInterval: 1h
                - matchers: ['team=~"pay.*"', 'service!="legacy"']
                  receiver: payments
                  groupBy: ['...']
                - matchers: ['team!~"pay.*"']
                  receiver: others
            receivers:
              - name: default
              - name: pager
              - name: payments
              - name: others
            """);
        var pager = config.Root.Children[0];
        Assert.Equal(TimeSpan.FromSeconds(10), pager.GroupWait);
        Assert.Equal(TimeSpan.FromHours(1), pager.RepeatInterval);
        Assert.Equal(["slo"], pager.GroupBy);
        Assert.Null(config.Root.Children[1].GroupBy);

        string[] Receivers(params (string, string)[] labels) =>
            config.Root.Match(labels.ToDictionary(l => l.Item1, l => l.Item2)).Select(r => r.Receiver).ToArray();
        Assert.Equal(["pager", "payments"], Receivers(("severity", "page"), ("team", "payments")));
        Assert.Equal(["pager", "others"], Receivers(("severity", "page"), ("team", "search")));
        Assert.Equal(["others"], Receivers(("severity", "ticket")));
        Assert.Equal(["default"], Receivers(("team", "payments"), ("service", "legacy")));
    }

    [Fact]
    public void GroupKeysSeparateRoutesAndGroupLabels()
    {
        var config = Parse("""
            route:
              receiver: a
              groupBy: [slo]
              routes:
                - matchers: ['severity="page"']
                  receiver: a
            receivers:
              - name: a
            """);
        var labels = new Dictionary<string, string> { ["slo"] = "checkout", ["severity"] = "page", ["team"] = "x" };
        var route = Assert.Single(config.Root.Match(labels));
        Assert.Equal("{}/0/{severity=\"page\"}:{slo=\"checkout\"}", route.GroupKeyFor(labels, out var groupLabels));
        Assert.Equal("checkout", Assert.Single(groupLabels).Value);
    }

    [Theory]
    [InlineData("route:\n  receiver: a\n  groupWiat: 30s\nreceivers:\n  - name: a\n", "alerting.yaml:3:3: route.groupWiat: unknown field 'groupWiat' (expected one of: receiver, matchers")]
    [InlineData("route:\n  receiver: a\n  groupWait: soon\nreceivers:\n  - name: a\n", "alerting.yaml:3:14: route.groupWait: 'soon' is not a positive duration")]
    [InlineData("route:\n  receiver: a\n  routes:\n    - matchers: ['severity=page\"']\n      receiver: a\nreceivers:\n  - name: a\n", "alerting.yaml:4:18: route.routes[0].matchers[0]:")]
    [InlineData("route:\n  receiver: missing\nreceivers:\n  - name: a\n", "alerting.yaml:2:13: route.receiver: no receiver named 'missing'")]
    [InlineData("route:\n  receiver: a\nreceivers:\n  - name: a\n    webhook:\n      url: not a url\n", "alerting.yaml:6:12: receivers[0].webhook.url: is not an absolute http(s) URL")]
    [InlineData("route:\n  receiver: a\nreceivers:\n  - name: a\n    pagerduty: {}\n", "receivers[0].pagerduty.routingKey: is required")]
    [InlineData("route:\n  receiver: a\ninhibitRules:\n  - sourceMatchers: ['a=\"b\"']\nreceivers:\n  - name: a\n", "alerting.yaml:4:5: inhibitRules[0].targetMatchers: needs at least one matcher")]
    [InlineData("route:\n  receiver: a\nmaintenanceWindows:\n  - name: w\n    start: '25:00'\n    duration: 1h\nreceivers:\n  - name: a\n", "alerting.yaml:5:12: maintenanceWindows[0].start: '25:00' is not a time of day")]
    [InlineData("route:\n  receiver: a\n  matchers: ['a=\"b\"']\nreceivers:\n  - name: a\n", "route.matchers: the root route matches every alert")]
    [InlineData("route: [\n", "alerting.yaml:")]
    public void AnInvalidFileIsReportedWithFileLineAndField(string yaml, string expected)
    {
        Assert.Contains(expected, Error(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWithThreeErrorsReportsAllThreeWithTheirLinesAndFields()
    {
        var e = Assert.Throws<AlertingConfigException>(() => Parse("""
            route:
              receiver: team
              groupWait: soon
            receivers:
              - name: team
                webhook:
                  url: not a url
            maintenanceWindows:
              - name: friday
                start: '25:00'
                duration: 1h
            """));

        Assert.Equal(
            [
                ("alerting.yaml:3:14", "route.groupWait", "'soon' is not a positive duration such as 30s, 5m or 4h"),
                ("alerting.yaml:7:12", "receivers[0].webhook.url", "is not an absolute http(s) URL"),
                ("alerting.yaml:10:12", "maintenanceWindows[0].start", "'25:00' is not a time of day HH:mm"),
            ],
            e.Errors.Select(error => (error.Location, error.Field, error.Message)).OrderBy(error => int.Parse(error.Location.Split(':')[1], CultureInfo.InvariantCulture)));
        Assert.Equal(3, e.Message.Split('\n').Length);
    }

    [Fact]
    public void SecretsComeFromTheEnvironmentAndAMissingVariableNamesTheFieldButNoValue()
    {
        const string yaml = """
            route:
              receiver: pd
            receivers:
              - name: pd
                pagerduty:
                  routingKey: ${PD_ROUTING_KEY}
            """;
        var config = Parse(yaml, new Dictionary<string, string> { ["PD_ROUTING_KEY"] = "secret-key" });
        Assert.Equal("secret-key", config.Receivers["pd"].RoutingKey);
        Assert.DoesNotContain("secret-key", config.Receivers["pd"].ToString(), StringComparison.Ordinal);
        Assert.Equal("alerting.yaml:6:19: receivers[0].pagerduty.routingKey: environment variable PD_ROUTING_KEY is not set", Error(yaml));
    }

    [Fact]
    public void AnUnreadableSecretFileIsReportedWithoutItsContent()
    {
        var message = Error("""
            route:
              receiver: pd
            receivers:
              - name: pd
                pagerduty:
                  routingKeyFile: /nonexistent/routing-key
            """);
        Assert.StartsWith("alerting.yaml:6:23: receivers[0].pagerduty.routingKeyFile: cannot read '/nonexistent/routing-key'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheExampleRoutingFileIsValid()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "alerting.yaml");
        var config = AlertingConfigLoader.LoadFile(path, name => name switch
        {
            "PAGERDUTY_ROUTING_KEY" => "example-key",
            "SLACK_WEBHOOK_URL" => "https://hooks.slack.com/services/T/B/X",
            _ => null,
        });
        Assert.NotEmpty(config.Receivers);
        Assert.NotEmpty(config.MaintenanceWindows);
    }
}
