using Dapper;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Incidents;

/// <summary>An alert inhibited by another belongs to the inhibiting alert's incident, for any inhibition rule.</summary>
public sealed class OneIncidentPerProblemTests
{
    private const string Routing = """
        route:
          receiver: nobody
        receivers:
          - name: nobody
        """;

    [Fact]
    public async Task AnInhibitedTicketJoinsThePagesIncidentInsteadOfOpeningItsOwnAndTheTimelineSaysSo()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var now = h.Time.GetUtcNow();
        var ticket = TestAlerts.Slo("checkout", "ticket", now);
        var page = TestAlerts.Slo("checkout", "page", now);
        await h.SubmitAsync(ticket, page);

        var incident = Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));
        Assert.Equal("page", incident.Severity);
        var detail = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!;
        Assert.Equal(["page", "ticket"], detail.Alerts.Select(a => a.Labels["severity"]));
        Assert.All(detail.Alerts, a => Assert.Equal("firing", a.Status));
        Assert.Equal([TimelineKinds.Created, TimelineKinds.Routed, TimelineKinds.Joined], detail.Timeline.Select(t => t.Kind));
        var joined = detail.Timeline[^1].Details;
        Assert.Equal(detail.Alerts[1].Fingerprint, joined.GetProperty("fingerprint").GetString());
        Assert.Equal("ticket", joined.GetProperty("severity").GetString());
        Assert.Equal(incident.Fingerprint, joined.GetProperty("inhibitedBy").GetString());
        Assert.Equal("[severity=\"page\"] inhibits [severity=\"ticket\"] on equal [slo]", joined.GetProperty("rule").GetString());

        // Every later report of the two changes nothing.
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.SubmitAsync(ticket, page);
        await h.TickAsync();
        Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));
        Assert.Equal(3, (await h.TimelineKindsAsync(incident.Id)).Count);
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task AJoinedTicketThatOutlivesThePageOpensItsOwnIncident()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var now = h.Time.GetUtcNow();
        var page = TestAlerts.Slo("checkout", "page", now);
        var ticket = TestAlerts.Slo("checkout", "ticket", now);
        await h.SubmitAsync(page, ticket);
        var pageIncident = await h.SingleOpenIncidentAsync("checkout");

        h.Time.Advance(TimeSpan.FromMinutes(20));
        await h.SubmitAsync(TestAlerts.Resolved(page, h.Time.GetUtcNow()), ticket);

        var ticketIncident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal("ticket", ticketIncident.Severity);
        Assert.Equal(IncidentStates.Resolved, (await h.Incidents.GetAsync(pageIncident.Id, CancellationToken.None))!.State);
        var left = Assert.Single((await h.Incidents.GetDetailAsync(pageIncident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.Left);
        Assert.Equal(ticketIncident.Fingerprint, left.Details.GetProperty("fingerprint").GetString());
        Assert.Equal("outlived the alert that inhibited it", left.Details.GetProperty("reason").GetString());
        Assert.Equal(ticketIncident.Id, left.Details.GetProperty("nowIn").GetInt64());
        var created = (await h.Incidents.GetDetailAsync(ticketIncident.Id, CancellationToken.None))!.Timeline[0];
        Assert.Equal(TimelineKinds.Created, created.Kind);
        Assert.Equal(pageIncident.Id, created.Details.GetProperty("previousIncident").GetInt64());
        Assert.Equal(ticket.StartsAt, created.Details.GetProperty("startsAt").GetDateTimeOffset());
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task AJoinedTicketThatResolvesFirstLeavesTheIncidentAndOpensNothingAfterThePage()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var now = h.Time.GetUtcNow();
        var page = TestAlerts.Slo("checkout", "page", now);
        var ticket = TestAlerts.Slo("checkout", "ticket", now);
        await h.SubmitAsync(page, ticket);
        var incident = await h.SingleOpenIncidentAsync("checkout");

        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.SubmitAsync(page, TestAlerts.Resolved(ticket, h.Time.GetUtcNow()));
        var left = Assert.Single((await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.Left);
        Assert.Equal("the alert resolved", left.Details.GetProperty("reason").GetString());
        Assert.Equal("resolved", (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Alerts[1].Status);

        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.SubmitAsync(TestAlerts.Resolved(page, h.Time.GetUtcNow()));
        Assert.Equal(IncidentStates.Resolved, Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None)).State);
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task ATicketAlreadyInItsOwnIncidentIsMergedIntoTheIncidentOfThePageThatStartsInhibitingIt()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var ticket = TestAlerts.Slo("checkout", "ticket", h.Time.GetUtcNow());
        await h.SubmitAsync(ticket);
        var ticketIncident = await h.SingleOpenIncidentAsync("checkout");

        // The slow burn becomes a fast one: the page arrives alone, the ticket is not reported again.
        h.Time.Advance(TimeSpan.FromMinutes(30));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));

        var pageIncident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal("page", pageIncident.Severity);
        var merged = (await h.Incidents.GetDetailAsync(ticketIncident.Id, CancellationToken.None))!;
        Assert.Equal(IncidentStates.Resolved, merged.State);
        var resolved = merged.Timeline[^1];
        Assert.Equal((TimelineKinds.Resolved, "merge", pageIncident.Id), (resolved.Kind, resolved.Details.GetProperty("by").GetString(), resolved.Details.GetProperty("into").GetInt64()));
        var page = (await h.Incidents.GetDetailAsync(pageIncident.Id, CancellationToken.None))!;
        var joined = Assert.Single(page.Timeline, t => t.Kind == TimelineKinds.Joined);
        Assert.Equal(ticketIncident.Id, joined.Details.GetProperty("mergedFrom").GetInt64());
        Assert.Equal([pageIncident.Fingerprint, ticketIncident.Fingerprint], page.Alerts.Select(a => a.Fingerprint));
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task AnyInhibitionRuleJoinsItsTargetsToTheSourcesIncident()
    {
        await using var h = await AlertingHarness.StartAsync(Routing + "\n" + """
            inhibitRules:
              - sourceMatchers: ['alertname="ClusterDown"']
                targetMatchers: ['alertname=~"ServiceDown|DiskFull"']
                equal: [cluster]
            """);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(
            External("ServiceDown", "eu", "page", now, ("service", "checkout")),
            External("ClusterDown", "eu", "page", now),
            External("ServiceDown", "us", "page", now, ("service", "checkout")),
            External("DiskFull", "eu", "ticket", now));

        var open = await h.Incidents.ListAsync(IncidentStates.Triggered, null, null, CancellationToken.None);
        Assert.Equal(["ClusterDown eu", "ServiceDown us"], open.Select(i => i.Title).Order());
        var cluster = (await h.Incidents.GetDetailAsync(open.Single(i => i.Title == "ClusterDown eu").Id, CancellationToken.None))!;
        Assert.Equal("ClusterDown", cluster.Alerts[0].Labels["alertname"]);
        Assert.Equal(["DiskFull", "ServiceDown"], cluster.Alerts.Skip(1).Select(a => a.Labels["alertname"]).Order());
        Assert.Equal(2, cluster.Timeline.Count(t => t.Kind == TimelineKinds.Joined));
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task AnInhibitorThatOpensNoIncidentLeavesItsTargetsToOpenTheirOwn()
    {
        await using var h = await AlertingHarness.StartAsync(Routing + "\n" + """
            inhibitRules:
              - sourceMatchers: ['alertname="ClusterDown"']
                targetMatchers: ['alertname="ServiceDown"']
                equal: [cluster]
            """);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(External("ClusterDown", "eu", "critical", now), External("ServiceDown", "eu", "page", now));
        Assert.Equal("ServiceDown eu", Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None)).Title);
    }

    [Fact]
    public async Task AnExternalPageThatExpiresLeavesItsJoinedTicketToOpenItsOwnIncident()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", now, endsAt: now.AddMinutes(5)), TestAlerts.Slo("checkout", "ticket", now, endsAt: now.AddHours(1)));
        var page = await h.SingleOpenIncidentAsync("checkout");

        await h.AdvanceAsync(TimeSpan.FromMinutes(6));
        var ticket = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal("ticket", ticket.Severity);
        Assert.Equal(IncidentStates.Resolved, (await h.Incidents.GetAsync(page.Id, CancellationToken.None))!.State);
        Assert.Contains(TimelineKinds.Left, await h.TimelineKindsAsync(page.Id));
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task AUserResolvingTheIncidentKeepsItsJoinedAlertQuietWhileTheSameFiringContinues()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var now = h.Time.GetUtcNow();
        var page = TestAlerts.Slo("checkout", "page", now);
        var ticket = TestAlerts.Slo("checkout", "ticket", now);
        await h.SubmitAsync(page, ticket);
        var incident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal(IncidentChangeStatus.Changed, (await h.Incidents.ResolveAsync(incident.Id, "alice", null, CancellationToken.None)).Status);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(page, ticket);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(TestAlerts.Resolved(page, h.Time.GetUtcNow()), ticket);
        Assert.Equal(IncidentStates.Resolved, Assert.Single(await h.Incidents.ListAsync(null, null, null, CancellationToken.None)).State);

        // A new firing of the ticket is a new problem.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(TestAlerts.Resolved(ticket, h.Time.GetUtcNow()));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.SubmitAsync(ticket with { StartsAt = h.Time.GetUtcNow() });
        Assert.Equal("ticket", (await h.SingleOpenIncidentAsync("checkout")).Severity);
        await AssertOneOpenIncidentPerAlertAsync(h);
    }

    [Fact]
    public async Task TheDatabaseRefusesASecondOpenIncidentForAnAlertThatIsPartOfOne()
    {
        await using var h = await AlertingHarness.StartAsync(Routing);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", now), TestAlerts.Slo("checkout", "ticket", now));
        var incident = await h.SingleOpenIncidentAsync("checkout");
        var ticket = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Alerts[1].Fingerprint;

        await using var connection = await h.Database.DataSource.OpenConnectionAsync();
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync("""
            INSERT INTO incident_alert (tenant, incident_id, fingerprint, role, alert_starts_at, joined_at)
            VALUES ('default', @id, @ticket, 'primary', now(), now())
            """, new { id = incident.Id, ticket }));
        Assert.Equal("incident_alert_one_open_per_fingerprint", refused.ConstraintName);
    }

    [Fact]
    public async Task TheMigrationGivesEveryExistingIncidentItsOpeningAlert()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE schema_version (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var (version, sql) in TestSchema.Migrations.Where(s => string.CompareOrdinal(s.Version, "0005") < 0))
        {
            await connection.ExecuteAsync(sql);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version });
        }

        await connection.ExecuteAsync("""
            INSERT INTO incident (fingerprint, state, severity, title, alert_labels, alert_annotations, alert_starts_at, opened_at, resolved_at, resolved_by)
            VALUES ('a', 'triggered', 'page', 'open', '{}', '{}', '2026-01-01Z', '2026-01-01Z', NULL, NULL),
                   ('b', 'resolved', 'page', 'by source', '{}', '{}', '2026-01-01Z', '2026-01-01Z', '2026-01-02Z', 'source'),
                   ('c', 'resolved', 'page', 'by alice', '{}', '{}', '2026-01-01Z', '2026-01-01Z', '2026-01-02Z', 'alice')
            """);
        await MigrationRunner.ApplyAsync(database.DataSource, TestSchema.Migrations);

        var members = (await connection.QueryAsync<(string Fingerprint, string Role, string? LeftReason)>(
            "SELECT fingerprint, role, left_reason FROM incident_alert ORDER BY fingerprint")).ToList();
        Assert.Equal([("a", "primary", null), ("b", "primary", "resolved"), ("c", "primary", "user")], members);
    }

    private static AlertInput External(string name, string cluster, string severity, DateTimeOffset startsAt, params (string Name, string Value)[] more)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = name, ["cluster"] = cluster, ["severity"] = severity };
        foreach (var (key, value) in more)
        {
            labels[key] = value;
        }

        return new AlertInput(labels, new Dictionary<string, string> { ["summary"] = $"{name} {cluster}" }, startsAt, null, null);
    }

    /// <summary>The invariant behind "one problem, one incident", read from the tables themselves.</summary>
    private static async Task AssertOneOpenIncidentPerAlertAsync(AlertingHarness h)
    {
        await using var connection = await h.Database.DataSource.OpenConnectionAsync();
        Assert.Empty(await connection.QueryAsync<string>(
            "SELECT fingerprint FROM incident_alert WHERE left_at IS NULL GROUP BY fingerprint HAVING count(*) > 1"));
        Assert.Empty(await connection.QueryAsync<long>("""
            SELECT i.id FROM incident i
             WHERE i.state <> 'resolved'
               AND NOT EXISTS (SELECT 1 FROM incident_alert m
                                WHERE m.incident_id = i.id AND m.fingerprint = i.fingerprint AND m.role = 'primary' AND m.left_at IS NULL)
            """));
        Assert.Empty(await connection.QueryAsync<long>("""
            SELECT m.incident_id FROM incident_alert m JOIN incident i ON i.id = m.incident_id
             WHERE m.left_at IS NULL AND i.state = 'resolved'
            """));
    }
}
