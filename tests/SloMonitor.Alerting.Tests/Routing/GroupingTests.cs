using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Routing;

public sealed class GroupingTests
{
    private static string Routing(Uri receiver, string groupBy = "[service]", string groupWait = "30s", string groupInterval = "5m", string repeatInterval = "4h") => $"""
        route:
          receiver: hook
          groupBy: {groupBy}
          groupWait: {groupWait}
          groupInterval: {groupInterval}
          repeatInterval: {repeatInterval}
        receivers:
          - name: hook
            webhook:
              url: {receiver}hook
        """;

    [Fact]
    public async Task TwoAlertsInsideGroupWaitAreSentAsOneNotification()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url));
        var t0 = h.Time.GetUtcNow();

        await h.SubmitAsync(TestAlerts.Slo("checkout-availability", "page", t0));
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        await h.SubmitAsync(TestAlerts.Slo("checkout-latency", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(19));
        Assert.Empty(receiver.Requests);

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));

        var request = Assert.Single(receiver.Requests);
        var alerts = request.Json.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("labels").GetProperty("slo").GetString()).Order().ToList();
        Assert.Equal(["checkout-availability", "checkout-latency"], alerts);
        Assert.Equal("firing", request.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AThirdAlertArrivingLaterIsSentAtTheNextGroupIntervalAndNotBefore()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url));
        var t0 = h.Time.GetUtcNow();
        await h.SubmitAsync(TestAlerts.Slo("a", "page", t0), TestAlerts.Slo("b", "page", t0));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Single(receiver.Requests);

        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(TestAlerts.Slo("c", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(59));
        Assert.Single(receiver.Requests);

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(3, receiver.Requests[1].Json.GetProperty("alerts").GetArrayLength());
    }

    [Fact]
    public async Task AGroupStillFiringIsSentAgainOnlyAfterRepeatInterval()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, groupInterval: "1m", repeatInterval: "5m"));
        await h.SubmitAsync(TestAlerts.Slo("a", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Single(receiver.Requests);

        for (var minute = 1; minute <= 4; minute++)
        {
            await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        }

        Assert.Single(receiver.Requests);
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, receiver.Requests.Count);
        Assert.NotEqual(receiver.Requests[0].Header("Idempotency-Key"), receiver.Requests[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task AResolvedAlertIsSentAsResolvedAtTheNextGroupInterval()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url));
        var alert = TestAlerts.Slo("a", "page", h.Time.GetUtcNow());
        await h.SubmitAsync(alert);
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(TestAlerts.Resolved(alert, h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(4));

        Assert.Equal(2, receiver.Requests.Count);
        var resolved = receiver.Requests[1].Json;
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal("resolved", resolved.GetProperty("alerts")[0].GetProperty("status").GetString());
        Assert.NotEqual("0001-01-01T00:00:00Z", resolved.GetProperty("alerts")[0].GetProperty("endsAt").GetString());

        await h.AdvanceAsync(TimeSpan.FromMinutes(30));
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task AnAlertFlappingBetweenFlushesPagesOnce()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, groupWait: "30s", groupInterval: "5m"));
        var alert = TestAlerts.Slo("a", "page", h.Time.GetUtcNow());
        await h.SubmitAsync(alert);
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));

        // Between two flushes the burn rate drops and comes back again and again; every flush sees it firing.
        for (var i = 0; i < 15; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(20));
            await h.SubmitAsync(TestAlerts.Resolved(alert, h.Time.GetUtcNow()));
            await h.AdvanceAsync(TimeSpan.FromSeconds(20));
            await h.SubmitAsync(alert with { StartsAt = h.Time.GetUtcNow() });
            await h.AdvanceAsync(TimeSpan.FromSeconds(20));
        }

        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("firing", request.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task RoutesWithContinueSendTheSameAlertToEveryMatchingReceiver()
    {
        await using var pager = await RecordingReceiver.StartAsync();
        await using var team = await RecordingReceiver.StartAsync();
        await using var fallback = await RecordingReceiver.StartAsync();
        var yaml = $"""
            route:
              receiver: fallback
              groupWait: 0s
              routes:
                - matchers: ['severity="page"']
                  receiver: pager
                  continue: true
                - matchers: ['team=~"pay.*"']
                  receiver: team
            receivers:
              - name: fallback
                webhook: {"{"} url: {fallback.Url} {"}"}
              - name: pager
                webhook: {"{"} url: {pager.Url} {"}"}
              - name: team
                webhook: {"{"} url: {team.Url} {"}"}
            """;
        await using var h = await AlertingHarness.StartAsync(yaml);
        await h.SubmitAsync(TestAlerts.Slo("a", "page", h.Time.GetUtcNow()));
        await h.SubmitAsync(TestAlerts.Slo("b", "ticket", h.Time.GetUtcNow(), team: "search"));
        await h.TickAsync();

        Assert.Equal("pager", Assert.Single(pager.Requests).Json.GetProperty("receiver").GetString());
        Assert.Equal("a", Assert.Single(team.Requests).Json.GetProperty("alerts")[0].GetProperty("labels").GetProperty("slo").GetString());
        Assert.Equal("b", Assert.Single(fallback.Requests).Json.GetProperty("alerts")[0].GetProperty("labels").GetProperty("slo").GetString());
    }
}
