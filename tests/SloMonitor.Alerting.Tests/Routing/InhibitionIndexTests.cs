using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Tests.Routing;

public sealed class InhibitionIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static Alert Make(DateTimeOffset startsAt, params (string Name, string Value)[] labels)
    {
        var map = labels.ToDictionary(l => l.Name, l => l.Value);
        return new Alert(Fingerprint.Of(map), map, new Dictionary<string, string>(), startsAt, null, null);
    }

    [Fact]
    public void ATicketIsInhibitedFirstByThePageOfItsOwnGroupThenByTheOverallPageThenByThePagesOfOtherGroups()
    {
        // The default rule compares only slo, so both pages inhibit both tickets; the page sharing the group comes first.
        var pageA = Make(Now, ("slo", "checkout"), ("route", "/a"), ("severity", "page"));
        var pageB = Make(Now.AddMinutes(-5), ("slo", "checkout"), ("route", "/b"), ("severity", "page"));
        var ticketA = Make(Now, ("slo", "checkout"), ("route", "/a"), ("severity", "ticket"));
        var otherSlo = Make(Now, ("slo", "search"), ("route", "/a"), ("severity", "ticket"));
        var overallPage = Make(Now, ("slo", "checkout"), ("severity", "page"));
        var overallTicket = Make(Now, ("slo", "checkout"), ("severity", "ticket"));
        var index = new InhibitionIndex([InhibitRule.PageInhibitsTicket], [pageA, pageB, ticketA, otherSlo, overallPage, overallTicket]);

        Assert.Equal([pageA.Fingerprint, overallPage.Fingerprint, pageB.Fingerprint], index.SourcesOf(ticketA).Select(s => s.Source.Fingerprint));
        Assert.Equal(overallPage.Fingerprint, index.SourcesOf(overallTicket)[0].Source.Fingerprint);
        Assert.Empty(index.SourcesOf(otherSlo));
        Assert.Empty(index.SourcesOf(pageA));
        Assert.Equal([ticketA.Fingerprint, overallTicket.Fingerprint], index.TargetsOf(pageB).Select(t => t.Fingerprint));
    }

    [Fact]
    public void TwoAlertsMatchingBothSidesOfARuleDoNotInhibitEachOtherButOneMatchingOnlyTheSourceSideDoes()
    {
        var rule = new InhibitRule([Matcher.Parse("severity=~\"critical|warning\"")], [Matcher.Parse("severity=~\"critical|warning\"")], ["cluster"]);
        var first = Make(Now, ("alertname", "NodeDown"), ("cluster", "eu"), ("severity", "critical"));
        var second = Make(Now, ("alertname", "DiskFull"), ("cluster", "eu"), ("severity", "warning"));
        Assert.Empty(new InhibitionIndex([rule], [first, second]).SourcesOf(second));

        var narrower = new InhibitRule([Matcher.Parse("severity=\"critical\"")], [Matcher.Parse("severity=~\"critical|warning\"")], ["cluster"]);
        var index = new InhibitionIndex([narrower], [first, second]);
        Assert.Equal([first.Fingerprint], index.SourcesOf(second).Select(s => s.Source.Fingerprint));
        Assert.Empty(index.SourcesOf(first));
        Assert.Equal([second.Fingerprint], index.TargetsOf(first).Select(t => t.Fingerprint));
    }
}
