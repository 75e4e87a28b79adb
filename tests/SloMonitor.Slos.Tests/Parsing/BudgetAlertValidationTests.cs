using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos.Tests.Parsing;

public sealed class BudgetAlertValidationTests
{
    [Theory]
    [InlineData("budgetExhaustion: {within: 1d, severity: page}", "alerting.budgetExhaustion.window", "is required")]
    [InlineData("budgetExhaustion: {window: 1h}", "alerting.budgetExhaustion.severity", "is required")]
    [InlineData("budgetExhaustion: [{window: 1h, severity: urgent}]", "alerting.budgetExhaustion[0].severity", "must be 'page' or 'ticket'")]
    [InlineData("budgetExhaustion: [{window: 8d, severity: page}]", "alerting.budgetExhaustion[0].window", "longer than the SLO window (7d)")]
    [InlineData("budgetExhaustion: [{window: 1h, within: soon, severity: page}]", "alerting.budgetExhaustion[0].within", "expected a duration")]
    [InlineData("budgetExhaustion: [{window: 1h, horizon: 1d, severity: page}]", "alerting.budgetExhaustion[0].horizon", "unknown field 'horizon'")]
    [InlineData("budgetExhaustion: 1h", "alerting.budgetExhaustion", "expected a mapping such as")]
    [InlineData("budgetRemaining: {severity: ticket}", "alerting.budgetRemaining.below", "is required")]
    [InlineData("budgetRemaining: [{below: 25, severity: ticket}]", "alerting.budgetRemaining[0].below", "from 0 to 1")]
    [InlineData("budgetRemaining: [{below: 25%, severity: ticket}]", "alerting.budgetRemaining[0].below", "from 0 to 1")]
    [InlineData("budgetRemaining: [{below: -0.1, severity: ticket}]", "alerting.budgetRemaining[0].below", "from 0 to 1")]
    [InlineData("budgetRemaining: [{below: lots, severity: ticket}]", "alerting.budgetRemaining[0].below", "expected a number")]
    public void ABadBudgetAlertIsRefusedNamingItsField(string alert, string field, string message)
    {
        var result = SloParser.ParseYaml($$"""
            name: pay
            service: checkout
            objective: 99
            window: 7d
            sli: {kind: availability}
            alerting:
              {{alert}}
            """, "pay.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("pay.yaml:", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void BudgetAlertsAreReadAsOneMappingOrAList()
    {
        var result = SloParser.ParseYaml("""
            name: pay
            service: checkout
            objective: 99
            window: 7d
            sli: {kind: availability}
            alerting:
              budgetExhaustion:
                - {window: 1h, within: 1d, severity: page}
                - {window: 1d, severity: ticket}
              budgetRemaining: {below: 0.25, severity: ticket}
            """, "pay.yaml");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var alerting = Assert.Single(result.Definitions).Alerting;
        Assert.Equal([("page", TimeSpan.FromHours(1), (TimeSpan?)TimeSpan.FromDays(1)), ("ticket", TimeSpan.FromDays(1), null)], alerting.BudgetExhaustion.Select(a => (a.Severity, a.Window, a.Within)));
        Assert.Equal(("ticket", 0.25), (alerting.BudgetRemaining[0].Severity, alerting.BudgetRemaining[0].Below));
    }

    [Theory]
    [InlineData("policy: {freezeBelow: 2}", "policy.freezeBelow", "from 0 to 1")]
    [InlineData("policy: {freezeBelow: 10%}", "policy.freezeBelow", "from 0 to 1")]
    [InlineData("policy: {freezeWhilePaging: sometimes}", "policy.freezeWhilePaging", "expected true or false")]
    [InlineData("policy: {}", "policy.freezeBelow", "give 'freezeBelow', 'freezeWhilePaging' or both")]
    [InlineData("policy: {freeze: true}", "policy.freeze", "unknown field 'freeze'")]
    public void ABadReleasePolicyIsRefusedNamingItsField(string policy, string field, string message)
    {
        var result = SloParser.ParseYaml($$"""
            name: pay
            service: checkout
            objective: 99
            sli: {kind: availability}
            {{policy}}
            """, "pay.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReleasePolicyIsReadWithFreezeWhilePagingOffUnlessSet()
    {
        var result = SloParser.ParseYaml("{name: pay, service: checkout, objective: 99, sli: {kind: availability}, policy: {freezeBelow: 0}}", "pay.yaml");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(new SloMonitor.Slos.Definitions.ReleasePolicy(0, false), Assert.Single(result.Definitions).Policy);
    }

    [Fact]
    public void AServicesPolicyAppliesToThatServicesSlosOfTheFileWithoutAPolicyOfTheirOwn()
    {
        var result = SloParser.ParseYaml("""
            services:
              checkout: {policy: {freezeBelow: 0.25, freezeWhilePaging: true}}
            slos:
              - {name: pay, service: checkout, objective: 99, sli: {kind: availability}}
              - {name: refund, service: checkout, objective: 99, sli: {kind: availability}, policy: {freezeBelow: 0}}
              - {name: find, service: search, objective: 99, sli: {kind: availability}}
            """, "slos.yaml");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var policies = result.Definitions.ToDictionary(d => d.Name, d => d.Policy);
        Assert.Equal(new SloMonitor.Slos.Definitions.ReleasePolicy(0.25, true), policies["pay"]);
        Assert.Equal(new SloMonitor.Slos.Definitions.ReleasePolicy(0, false), policies["refund"]);
        Assert.Null(policies["find"]);
    }

    [Fact]
    public void ABadServicesPolicyIsRefusedNamingItsField()
    {
        var result = SloParser.ParseYaml("""
            services:
              checkout: {policy: {freezeBelow: 3}, owner: payments}
            slos:
              - {name: pay, service: checkout, objective: 99, sli: {kind: availability}}
            """, "slos.yaml");

        Assert.Equal(["services.checkout.owner", "services.checkout.policy.freezeBelow"], result.Errors.Select(e => e.Field).Order());
    }
}
