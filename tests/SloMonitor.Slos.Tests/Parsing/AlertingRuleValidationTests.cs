using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos.Tests.Parsing;

public sealed class AlertingRuleValidationTests
{
    [Theory]
    [InlineData("30d", "{severity: ticket, longWindow: 3d, shortWindow: 6h, burnRate: 1}", "alerting.rules[0].burnRate", "must be above 1")]
    [InlineData("30d", "{severity: ticket, longWindow: 3d, shortWindow: 6h, burnRate: 0.5}", "alerting.rules[0].burnRate", "meets its objective")]
    [InlineData("28d", "{severity: ticket, longWindow: 3d, shortWindow: 6h, budgetShare: 0.1}", "alerting.rules[0].budgetShare", "burn rate of 0.933")]
    [InlineData("7d", "{severity: page, longWindow: 8d, shortWindow: 1h, burnRate: 2}", "alerting.rules[0].longWindow", "longer than the SLO window (7d)")]
    [InlineData("30d", "{severity: page, longWindow: 1h, shortWindow: 1h, burnRate: 14.4}", "alerting.rules[0].shortWindow", "must be shorter than longWindow (1h)")]
    [InlineData("30d", "{severity: page, longWindow: 1h, shortWindow: 2h, burnRate: 14.4}", "alerting.rules[0].shortWindow", "must be shorter than longWindow")]
    public void ARuleThatWouldAlertOnAHealthyServiceOrReadsPastTheWindowIsRefusedNamingItsField(string window, string rule, string field, string message)
    {
        var result = SloParser.ParseYaml($$"""
            name: pay
            service: checkout
            objective: 99
            window: {{window}}
            sli: {kind: availability}
            alerting:
              rules:
                - {{rule}}
            """, "pay.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
        Assert.StartsWith("pay.yaml:", error.Location);
    }

    [Fact]
    public void RulesWithinThePeriodAboveABurnRateOfOneAreAccepted()
    {
        var result = SloParser.ParseYaml("""
            name: pay
            service: checkout
            objective: 99
            window: 7d
            sli: {kind: availability}
            alerting:
              rules:
                - {severity: page, longWindow: 1h, shortWindow: 5m, burnRate: 14.4}
                - {severity: ticket, longWindow: 7d, shortWindow: 12h, burnRate: 1.5}
                - {severity: ticket, longWindow: 3d, shortWindow: 6h, budgetShare: 0.5}
            """, "pay.yaml");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
    }

    [Fact]
    public void JsonBodiesGetTheSameRuleChecksWithJsonPaths()
    {
        var result = SloParser.ParseJson("""
            {"service": "checkout", "objective": 99, "window": "7d", "sli": {"kind": "availability"},
             "alerting": {"rules": [{"severity": "ticket", "longWindow": "3d", "shortWindow": "6h", "burnRate": 0.9}]}}
            """, "pay");

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.alerting.rules[0].burnRate", error.Field);
        Assert.Contains("must be above 1", error.Message);
    }

    [Fact]
    public void SeveralWindowsAreReadInOrderAndTheFirstOneDrivesAlerting()
    {
        var result = SloParser.ParseYaml("""
            name: pay
            service: checkout
            objective: 99
            windows: [7d, 28d, month]
            timeZone: Europe/Paris
            sli: {kind: availability}
            """, "pay.yaml");

        var definition = Assert.Single(result.Definitions);
        Assert.Equal(["7d", "28d", "month"], definition.Windows.Select(w => w.Text));
        Assert.Equal("7d", definition.Window.Text);
        Assert.Equal("Europe/Paris", definition.Windows[2].TimeZone!.Id);
        Assert.Equal(TimeSpan.FromDays(31), definition.LongestWindow);
    }

    [Theory]
    [InlineData("window: 30d\nwindows: [7d]", "window", "either 'window' or 'windows'")]
    [InlineData("windows: []", "windows", "non-empty list")]
    [InlineData("windows: [7d, 7d]", "windows[1]", "listed twice")]
    [InlineData("windows: [7d, 500d]", "windows[1]", "between 1h and 400d")]
    [InlineData("windows: [7d, soon]", "windows[1]", "expected a duration")]
    [InlineData("windows: [7d]\ntimeZone: Europe/Paris", "timeZone", "applies only to a 'month' window")]
    public void BadWindowListsAreRefusedNamingTheEntry(string windows, string field, string message)
    {
        var result = SloParser.ParseYaml($$"""
            name: pay
            service: checkout
            objective: 99
            {{windows}}
            sli: {kind: availability}
            """, "pay.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void LatenessAppliesOnlyToTimeSliceSlis()
    {
        var result = SloParser.ParseYaml("""
            - {name: p99, service: checkout, objective: 99, sli: {kind: latency, threshold: 300ms, percentile: 99, lateness: 2m}}
            - {name: avail, service: checkout, objective: 99, sli: {kind: availability, lateness: 2m}}
            """, "pay.yaml");

        Assert.Equal(TimeSpan.FromMinutes(2), Assert.Single(result.Definitions).Sli.SliceLateness);
        Assert.Equal("[1].sli.lateness", Assert.Single(result.Errors).Field);
    }
}
