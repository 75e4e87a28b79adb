using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Receivers;

namespace SloMonitor.Alerting.Tests.Configuration;

public sealed class TenantRoutingFileTests
{
    private static AlertingConfig Parse(string yaml) => AlertingConfigLoader.Parse(yaml, "alerting.yaml", _ => null);

    private static string Error(string yaml) => Assert.Throws<AlertingConfigException>(() => Parse(yaml)).Message;

    private const string TopLevel = """
        route:
          receiver: team
        receivers:
          - name: team
        """;

    [Fact]
    public void ATenantWithASectionIsRoutedByItAndEveryOtherTenantByTheTopLevel()
    {
        var config = Parse(TopLevel + """

            tenants:
              acme:
                route:
                  receiver: acme-default
                  groupBy: [service]
                  routes:
                    - matchers: ['severity="page"']
                      receiver: acme-pager
                receivers:
                  - name: acme-default
                  - name: acme-pager
                    webhook:
                      url: https://hooks.acme.example.com/page
                inhibitRules:
                  - sourceMatchers: ['alertname="ClusterDown"']
                    targetMatchers: ['severity="page"']
                    equal: [cluster]
                maintenanceWindows:
                  - name: acme-friday
                    matchers: ['service="batch"']
                    start: "22:00"
                    duration: 2h
            """);

        var acme = config.For("acme");
        Assert.Equal("acme-default", acme.Root.Receiver);
        Assert.Equal(["service"], acme.Root.GroupBy);
        Assert.Equal("acme-pager", Assert.Single(acme.Root.Children).Receiver);
        Assert.Equal(ReceiverKind.Webhook, acme.Receivers["acme-pager"].Kind);
        Assert.Equal(["cluster"], Assert.Single(acme.InhibitRules).Equal);
        Assert.Equal("acme-friday", Assert.Single(acme.MaintenanceWindows).Name);

        Assert.Same(config, config.For("globex"));
        Assert.Same(config, config.For(SloMonitor.Storage.Tenants.Default));
        Assert.Equal(["team"], config.Receivers.Keys);
        Assert.Empty(config.MaintenanceWindows);
        Assert.Equal(["team", "acme-default", "acme-pager"], config.AllReceivers.Select(r => r.Name));
    }

    [Fact]
    public void ATenantNamedAsAJwtClaimCarriesItHasASectionToo()
    {
        var config = Parse(TopLevel + """

            tenants:
              "org:42 payments":
                route:
                  receiver: r
                receivers:
                  - name: r
            """);
        Assert.Equal("r", config.For("org:42 payments").Root.Receiver);
    }

    [Fact]
    public void ATenantSectionWithoutInhibitRulesGetsThePageInhibitsTicketDefault()
    {
        var acme = Parse(TopLevel + """

            tenants:
              acme:
                route:
                  receiver: r
                receivers:
                  - name: r
            """).For("acme");
        Assert.Equal("severity=\"page\"", Assert.Single(acme.InhibitRules).SourceMatchers.Single().ToString());
    }

    [Theory]
    [InlineData("""
        tenants:
          acme:
            route:
              receiver: missing
            receivers:
              - name: r
        """, "alerting.yaml:8:17: tenants.acme.route.receiver: no receiver named 'missing' in receivers")]
    [InlineData("""
        tenants:
          acme:
            route:
              receiver: team
            receivers:
              - name: r
        """, "alerting.yaml:8:17: tenants.acme.route.receiver: no receiver named 'team' in receivers")]
    [InlineData("""
        tenants:
          acme:
            receivers:
              - name: r
        """, "alerting.yaml:7:5: tenants.acme.route: is required")]
    [InlineData("""
        tenants:
          acme:
            route:
              receiver: r
        """, "alerting.yaml:7:5: tenants.acme.receivers: is required")]
    [InlineData("""
        tenants:
          acme:
            route:
              receiver: r
            receivers:
              - name: r
            incidents:
              ackTimeout: 5m
        """, "alerting.yaml:11:5: tenants.acme.incidents: unknown field 'incidents' (expected one of: route, inhibitRules, maintenanceWindows, receivers)")]
    [InlineData("""
        tenants:
          acme:
            route:
              receiver: r
            receivers:
              - name: r
              - name: r
        """, "alerting.yaml:11:9: tenants.acme.receivers[1].name: receiver 'r' is defined twice")]
    [InlineData("""
        tenants:
          " ":
            route:
              receiver: r
            receivers:
              - name: r
        """, "alerting.yaml:6:3: tenants. : is not a tenant name")]
    [InlineData("""
        tenants: [acme]
        """, "alerting.yaml:5:10: tenants: expected a mapping, found a list")]
    [InlineData("""
        tenants:
          acme: yes
        """, "alerting.yaml:6:9: tenants.acme: expected a mapping, found 'yes'")]
    public void AnInvalidTenantSectionIsRejectedNamingTheLineAndTheField(string tenants, string expected)
    {
        Assert.StartsWith(expected, Error(TopLevel + "\n" + tenants), StringComparison.Ordinal);
    }
}
