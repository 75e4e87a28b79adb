using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Routing;

public sealed class MutingTests
{
    private static string Routing(Uri receiver, string extra = "") => $"""
        route:
          receiver: hook
          groupBy: [slo, severity]
          groupWait: 30s
          groupInterval: 5m
        receivers:
          - name: hook
            webhook:
              url: {receiver}
        {extra}
        """;

    [Fact]
    public async Task APageInhibitsTheTicketOfTheSameSloUntilThePageResolves()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url));
        var now = h.Time.GetUtcNow();
        var page = TestAlerts.Slo("checkout", "page", now);
        await h.SubmitAsync(page, TestAlerts.Slo("checkout", "ticket", now), TestAlerts.Slo("search", "ticket", now));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));

        var sent = receiver.Requests.Select(r => Label(r, "slo") + "/" + Label(r, "severity")).Order().ToList();
        Assert.Equal(["checkout/page", "search/ticket"], sent);

        // The inhibited ticket is part of the page's incident, not an incident of its own.
        var pageIncident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal("page", pageIncident.Severity);
        var joined = Assert.Single((await h.Incidents.GetDetailAsync(pageIncident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.Joined);
        Assert.Equal("inhibited by an alert of this incident", joined.Details.GetProperty("reason").GetString());
        Assert.Equal(pageIncident.Fingerprint, joined.Details.GetProperty("inhibitedBy").GetString());

        await h.SubmitAsync(TestAlerts.Resolved(page, h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));

        var after = receiver.Requests.Skip(2).Select(r => $"{Label(r, "slo")}/{Label(r, "severity")}/{r.Json.GetProperty("status").GetString()}").Order().ToList();
        Assert.Equal(["checkout/page/resolved", "checkout/ticket/firing"], after);
        var ticket = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal("ticket", ticket.Severity);
        Assert.Contains(TimelineKinds.Notified, await h.TimelineKindsAsync(ticket.Id));
    }

    [Fact]
    public async Task ASilencedAlertSendsNothingUntilTheSilenceEndsAndTheTimelineSaysWhy()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url));
        var silence = await h.Silences.CreateAsync([Matcher.Parse("slo=\"checkout\"")], null, h.Time.GetUtcNow().AddMinutes(8), "alice", "deploying the fix", CancellationToken.None);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Empty(receiver.Requests);

        var incident = await h.SingleOpenIncidentAsync("checkout");
        var silenced = Assert.Single((await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.Silenced);
        Assert.Equal(silence.Id.ToString(), silenced.Details.GetProperty("silenceId").GetString());

        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("checkout", Label(request, "slo"));
    }

    [Fact]
    public async Task ExpiringASilenceThroughTheStoreReleasesTheAlertAtTheNextFlush()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url));
        var silence = await h.Silences.CreateAsync([Matcher.Parse("service=\"checkout\"")], null, h.Time.GetUtcNow().AddHours(2), "alice", "noisy", CancellationToken.None);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(receiver.Requests);

        var expired = await h.Silences.ExpireAsync(silence.Id, CancellationToken.None);
        Assert.Equal("expired", expired!.StateAt(h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Single(receiver.Requests);
        Assert.Empty(await h.Silences.ListAsync(includeExpired: false, CancellationToken.None));
        Assert.Single(await h.Silences.ListAsync(includeExpired: true, CancellationToken.None));
    }

    [Fact]
    public async Task AMaintenanceWindowSilencesMatchingAlertsOnlyWhileItIsOpen()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        // The harness clock starts on Monday 10:00 UTC.
        var windows = """
            maintenanceWindows:
              - name: monday-db-upgrade
                matchers: ['service="checkout"']
                weekdays: [monday]
                start: "09:30"
                duration: 1h
            """;
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, windows));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()), TestAlerts.Slo("search", "page", h.Time.GetUtcNow(), service: "search"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("search", Label(Assert.Single(receiver.Requests), "slo"));
        var incident = await h.SingleOpenIncidentAsync("checkout");
        var silenced = Assert.Single((await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.Silenced);
        Assert.Equal("monday-db-upgrade", silenced.Details.GetProperty("maintenanceWindow").GetString());

        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Single(receiver.Requests);
        for (var i = 0; i < 4; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal("checkout", Label(receiver.Requests[1], "slo"));
    }

    private static string? Label(RecordedRequest request, string name) =>
        request.Json.GetProperty("alerts")[0].GetProperty("labels").GetProperty(name).GetString();
}
