using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Tests.Support;

/// <summary>Field-by-field equality of two definitions (everything but where they came from).</summary>
internal static class SameDefinition
{
    public static void Assert(SloDefinition expected, SloDefinition actual)
    {
        Xunit.Assert.Equal(
            (expected.Name, expected.Service, expected.Description, expected.Objective, expected.RunbookUrl, expected.DashboardUrl, expected.MaxGroups),
            (actual.Name, actual.Service, actual.Description, actual.Objective, actual.RunbookUrl, actual.DashboardUrl, actual.MaxGroups));
        Xunit.Assert.Equal(
            expected.Windows.Select(w => (w.Text, w.Rolling, w.TimeZone?.Id)),
            actual.Windows.Select(w => (w.Text, w.Rolling, w.TimeZone?.Id)));
        Xunit.Assert.Equal(expected.Labels.OrderBy(l => l.Key), actual.Labels.OrderBy(l => l.Key));
        Xunit.Assert.Equal(expected.GroupBy, actual.GroupBy);
        Xunit.Assert.Equal(expected.Sli, actual.Sli);
        Xunit.Assert.Equal(expected.Alerting.Rules, actual.Alerting.Rules);
        Xunit.Assert.Equal((expected.Alerting.MinEvents, expected.Alerting.ResolveAfter, expected.Alerting.NoData), (actual.Alerting.MinEvents, actual.Alerting.ResolveAfter, actual.Alerting.NoData));
        Xunit.Assert.Equal(expected.Alerting.BudgetExhaustion, actual.Alerting.BudgetExhaustion);
        Xunit.Assert.Equal(expected.Alerting.BudgetRemaining, actual.Alerting.BudgetRemaining);
        Xunit.Assert.Equal(expected.Policy, actual.Policy);
        Xunit.Assert.False(SloDefinitionDiff.RestartsHistory(expected, actual), "the SLI series would restart");
        Xunit.Assert.Empty(SloDefinitionDiff.Compare(expected, actual));
    }
}
