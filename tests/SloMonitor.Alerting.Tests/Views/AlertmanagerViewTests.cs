using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Alerting.Views;

namespace SloMonitor.Alerting.Tests.Views;

public sealed class AlertmanagerViewTests
{
    private const string Routing = """
        route:
          receiver: team
          routes:
            - matchers: ['severity="page"']
              receiver: pager
              continue: true
            - matchers: ['instance=~"db-.*"']
              receiver: dba
        receivers:
          - name: team
          - name: pager
          - name: dba
        """;

    [Fact]
    public async Task AnAlertIsSuppressedWhileItsSilenceLastsAndLeavesTheListWhenItsEndPasses()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var view = h.Services.GetRequiredService<AlertmanagerView>();
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(new AlertInput(
            new Dictionary<string, string> { ["alertname"] = "DiskFull", ["instance"] = "db-1", ["severity"] = "page" },
            new Dictionary<string, string> { ["summary"] = "disk full" }, now, now.AddMinutes(10), null));
        var silence = await h.Silences.CreateAsync([Matcher.Parse("instance=~\"db-.*\"")], null, now.AddMinutes(4), "alice", "disk swap", CancellationToken.None);

        var muted = Assert.Single(await view.ListAlertsAsync(AlertFilter.All, CancellationToken.None));
        Assert.Equal("suppressed", muted.State);
        Assert.Equal([silence.Id.ToString()], muted.SilencedBy);
        Assert.Equal(["dba", "pager"], muted.Receivers);
        Assert.Equal(now, muted.UpdatedAt);
        Assert.Equal(now.AddMinutes(10), muted.EndsAt);
        Assert.Empty(await view.ListAlertsAsync(AlertFilter.All with { Silenced = false }, CancellationToken.None));

        h.Time.Advance(TimeSpan.FromMinutes(5));
        var active = Assert.Single(await view.ListAlertsAsync(AlertFilter.All with { Silenced = false }, CancellationToken.None));
        Assert.Equal(("active", 0), (active.State, active.SilencedBy.Count));
        Assert.Equal(2, (await view.ListGroupsAsync(AlertFilter.All, CancellationToken.None)).Count);

        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await view.ListAlertsAsync(AlertFilter.All, CancellationToken.None));
        Assert.Empty(await view.ListGroupsAsync(AlertFilter.All, CancellationToken.None));
    }
}
