using Dapper;
using Npgsql;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Tests.Support;

namespace SloMonitor.Alerting.Tests.Incidents;

public sealed class IncidentLifecycleTests
{
    private const string NoReceivers = """
        route:
          receiver: nobody
        receivers:
          - name: nobody
        incidents:
          ackTimeout: 30m
        """;

    [Fact]
    public async Task AFiringPageOpensOneIncidentAndRepeatedReportsDoNotOpenMore()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var alert = TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow());
        await h.SubmitAsync(alert);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(alert with { StartsAt = h.Time.GetUtcNow() });

        var incident = Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));
        Assert.Equal(IncidentStates.Triggered, incident.State);
        Assert.Equal("page", incident.Severity);
        Assert.Equal("checkout", incident.Slo);
        Assert.Equal("checkout", incident.Service);
        Assert.Equal("checkout is burning its error budget", incident.Title);
        var detail = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!;
        Assert.Equal("https://runbooks.example.com/checkout", detail.RunbookUrl);
        Assert.Equal("https://slomonitor.example.com/slos/checkout", detail.DashboardUrl);
        var shown = Assert.Single(detail.Alerts);
        Assert.Equal("firing", shown.Status);
        Assert.Equal(alert.StartsAt, shown.StartsAt);
        Assert.Equal([TimelineKinds.Created, TimelineKinds.Routed], detail.Timeline.Select(t => t.Kind));
    }

    [Fact]
    public async Task AlertsOtherThanPageOrTicketOpenNoIncident()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "info", h.Time.GetUtcNow()));
        Assert.Empty(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));
    }

    [Fact]
    public async Task TheSourceResolvesTheIncidentAndARefireOpensANewOne()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var alert = TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow());
        await h.SubmitAsync(alert);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.SubmitAsync(TestAlerts.Resolved(alert, h.Time.GetUtcNow()));
        var resolved = Assert.Single(await h.Incidents.ListAsync(IncidentStates.Resolved, null, null, CancellationToken.None));
        Assert.Equal(h.Time.GetUtcNow(), resolved.ResolvedAt);
        Assert.Equal("resolved", (await h.Incidents.GetDetailAsync(resolved.Id, CancellationToken.None))!.Alerts[0].Status);
        Assert.Equal(TimelineKinds.Resolved, (await h.TimelineKindsAsync(resolved.Id))[^1]);

        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.SubmitAsync(alert with { StartsAt = h.Time.GetUtcNow() });
        var all = await h.Incidents.ListAsync(null, null, null, CancellationToken.None);
        Assert.Equal(2, all.Count);
        Assert.Equal(resolved.Fingerprint, all.Single(i => i.State == IncidentStates.Triggered).Fingerprint);
    }

    [Fact]
    public async Task AnIncidentResolvedByAUserStaysResolvedWhileTheSameAlertKeepsFiring()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var alert = TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow());
        await h.SubmitAsync(alert);
        var incident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal(IncidentChangeStatus.Changed, (await h.Incidents.ResolveAsync(incident.Id, "alice", null, CancellationToken.None)).Status);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(alert);
        Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(TestAlerts.Resolved(alert, h.Time.GetUtcNow()));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(alert with { StartsAt = h.Time.GetUtcNow() });
        Assert.Equal(2, (await h.Incidents.ListAsync(null, null, null, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task TheDatabaseItselfRefusesASecondOpenIncidentForOneFingerprint()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await using var connection = await h.Database.DataSource.OpenConnectionAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("""
            INSERT INTO incident (tenant, fingerprint, state, severity, title, alert_labels, alert_annotations, alert_starts_at, opened_at)
            SELECT tenant, fingerprint, 'triggered', severity, title, alert_labels, alert_annotations, alert_starts_at, opened_at FROM incident
            """));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("incident_one_open_per_fingerprint", error.ConstraintName);
    }

    [Fact]
    public async Task TheTimelineIsAppendOnly()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await using var connection = await h.Database.DataSource.OpenConnectionAsync();
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE incident_event SET actor = 'mallory'"));
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM incident_event"));
    }

    [Fact]
    public async Task AUserAcknowledgesThenResolvesWithTheActorInTheTimeline()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        var incident = await h.SingleOpenIncidentAsync("checkout");

        var ack = await h.Incidents.AcknowledgeAsync(incident.Id, "alice", null, CancellationToken.None);
        Assert.Equal(IncidentChangeStatus.Changed, ack.Status);
        Assert.Equal(IncidentStates.Acknowledged, ack.Current!.State);
        Assert.Equal("alice", ack.Current.AcknowledgedBy);
        Assert.Equal(incident.Version + 1, ack.Current.Version);

        var again = await h.Incidents.AcknowledgeAsync(incident.Id, "bob", null, CancellationToken.None);
        Assert.Equal(IncidentChangeStatus.Conflict, again.Status);
        Assert.Equal("alice", again.Current!.AcknowledgedBy);

        Assert.NotNull(await h.Incidents.AddCommentAsync(incident.Id, "bob", "rolled back the deploy", CancellationToken.None));
        var resolve = await h.Incidents.ResolveAsync(incident.Id, "bob", null, CancellationToken.None);
        Assert.Equal(IncidentChangeStatus.Changed, resolve.Status);
        Assert.Equal(IncidentStates.Resolved, resolve.Current!.State);

        var timeline = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline;
        Assert.Equal(
            [(TimelineKinds.Acked, "alice"), (TimelineKinds.Comment, "bob"), (TimelineKinds.Resolved, "bob")],
            timeline.Skip(2).Select(t => (t.Kind, t.Actor)));
        Assert.Equal("rolled back the deploy", timeline[3].Details.GetProperty("text").GetString());
        Assert.Equal(IncidentChangeStatus.NotFound, (await h.Incidents.ResolveAsync(999_999, "bob", null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ConcurrentAckAndResolveOfTheSameVersionLeaveExactlyOneWinner()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(Enumerable.Range(0, 20).Select(i => TestAlerts.Slo($"slo-{i}", "page", now)).ToArray());
        var incidents = await h.Incidents.ListAsync(null, null, null, CancellationToken.None);
        Assert.Equal(20, incidents.Count);

        foreach (var incident in incidents)
        {
            var ack = Task.Run(() => h.Incidents.AcknowledgeAsync(incident.Id, "alice", incident.Version, CancellationToken.None));
            var resolve = Task.Run(() => h.Incidents.ResolveAsync(incident.Id, "bob", incident.Version, CancellationToken.None));
            var results = await Task.WhenAll(ack, resolve);

            Assert.Single(results, r => r.Status == IncidentChangeStatus.Changed);
            var loser = Assert.Single(results, r => r.Status == IncidentChangeStatus.Conflict);
            var winner = results.Single(r => r.Status == IncidentChangeStatus.Changed).Current!;
            Assert.Equal(winner.State, loser.Current!.State);
            Assert.Equal(winner.Version, loser.Current.Version);
            var stored = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!;
            Assert.Equal(winner.State, stored.State);
            Assert.Single(stored.Timeline, t => t.Kind is TimelineKinds.Acked or TimelineKinds.Resolved);
        }
    }

    [Fact]
    public async Task AnAcknowledgementReturnsToTriggeredAfterTheAckTimeout()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        var incident = await h.SingleOpenIncidentAsync("checkout");
        await h.Incidents.AcknowledgeAsync(incident.Id, "alice", null, CancellationToken.None);

        await h.AdvanceAsync(TimeSpan.FromMinutes(29));
        Assert.Equal(IncidentStates.Acknowledged, (await h.Incidents.GetAsync(incident.Id, CancellationToken.None))!.State);
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(IncidentStates.Triggered, (await h.Incidents.GetAsync(incident.Id, CancellationToken.None))!.State);
        Assert.Equal(TimelineKinds.Unacked, (await h.TimelineKindsAsync(incident.Id))[^1]);
    }

    [Fact]
    public async Task TheListFiltersByStateServiceAndSlo()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(
            TestAlerts.Slo("checkout-availability", "page", now),
            TestAlerts.Slo("checkout-latency", "ticket", now),
            TestAlerts.Slo("search-latency", "page", now, service: "search"));
        var latency = await h.SingleOpenIncidentAsync("checkout-latency");
        await h.Incidents.AcknowledgeAsync(latency.Id, "alice", null, CancellationToken.None);

        Assert.Equal(2, (await h.Incidents.ListAsync(null, "checkout", null, CancellationToken.None)).Count);
        Assert.Equal("checkout-latency", Assert.Single(await h.Incidents.ListAsync(IncidentStates.Acknowledged, null, null, CancellationToken.None)).Slo);
        Assert.Equal("search", Assert.Single(await h.Incidents.ListAsync(null, null, "search-latency", CancellationToken.None)).Service);
        Assert.Empty(await h.Incidents.ListAsync(IncidentStates.Resolved, null, null, CancellationToken.None));
    }

    [Fact]
    public async Task AnExternalAlertWhoseEndsAtPassesResolvesItsIncident()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var alert = TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow(), endsAt: h.Time.GetUtcNow().AddMinutes(5));
        await h.SubmitAsync(alert);
        await h.AdvanceAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(IncidentStates.Triggered, (await h.SingleOpenIncidentAsync("checkout")).State);
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Single(await h.Incidents.ListAsync(IncidentStates.Resolved, null, null, CancellationToken.None));
    }

    [Fact]
    public async Task InvalidAlertsAreRejectedNamingTheField()
    {
        await using var h = await AlertingHarness.StartAsync(NoReceivers);
        var good = TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow());
        var noLabels = good with { Labels = new Dictionary<string, string>() };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => h.SubmitAsync(good, noLabels));
        Assert.StartsWith("alerts[1].labels:", error.Message, StringComparison.Ordinal);
        var badName = good with { Labels = new Dictionary<string, string> { ["bad-name"] = "x" } };
        Assert.Contains("'bad-name'", (await Assert.ThrowsAsync<ArgumentException>(() => h.SubmitAsync(badName))).Message, StringComparison.Ordinal);
        Assert.Empty(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));
    }
}
