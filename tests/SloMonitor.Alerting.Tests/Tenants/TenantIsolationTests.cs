using Dapper;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Tenants;

/// <summary>Alerts, incidents, silences, inhibition and routing of one tenant never reach another's.</summary>
public sealed class TenantIsolationTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static string Routing(Uri top, Uri acme) => $"""
        route:
          receiver: top
          groupBy: [slo]
          groupWait: 30s
        receivers:
          - name: top
            webhook:
              url: {top}top
        tenants:
          acme:
            route:
              receiver: pager
              groupBy: [slo]
              groupWait: 30s
            receivers:
              - name: pager
                webhook:
                  url: {acme}pager
        """;

    private static AlertInput In(string tenant, AlertInput alert) => alert with { Tenant = tenant };

    private static Alert Make(string tenant, params (string Name, string Value)[] labels)
    {
        var map = labels.ToDictionary(l => l.Name, l => l.Value);
        return new Alert(Fingerprint.Of(tenant, map), map, new Dictionary<string, string>(), Now, null, null) { Tenant = tenant };
    }

    [Fact]
    public void TheDefaultTenantKeepsAlertmanagersFingerprintAndAnotherTenantsSameLabelsHaveTheirOwn()
    {
        var labels = new Dictionary<string, string> { ["alertname"] = "SloBurnRate", ["slo"] = "checkout" };

        Assert.Equal(Fingerprint.Of(labels), Fingerprint.Of(SloMonitor.Storage.Tenants.Default, labels));
        Assert.NotEqual(Fingerprint.Of(labels), Fingerprint.Of("acme", labels));
        Assert.NotEqual(Fingerprint.Of("acme", labels), Fingerprint.Of("globex", labels));
        Assert.Equal(Fingerprint.Of("acme", labels), Fingerprint.Of("acme", new Dictionary<string, string>(labels)));
    }

    [Fact]
    public void AFiringPageOfOneTenantInhibitsTheTicketOfItsOwnTenantOnly()
    {
        var acmePage = Make("acme", ("slo", "checkout"), ("severity", "page"));
        var acmeTicket = Make("acme", ("slo", "checkout"), ("severity", "ticket"));
        var globexTicket = Make("globex", ("slo", "checkout"), ("severity", "ticket"));
        var index = new InhibitionIndex([InhibitRule.PageInhibitsTicket], [acmePage, acmeTicket, globexTicket]);

        Assert.Equal(acmePage.Fingerprint, Assert.Single(index.SourcesOf(acmeTicket)).Source.Fingerprint);
        Assert.Empty(index.SourcesOf(globexTicket));
        Assert.Equal([acmeTicket.Fingerprint], index.TargetsOf(acmePage).Select(a => a.Fingerprint));
    }

    [Fact]
    public void EachTenantIsInhibitedByTheRulesOfItsOwnSection()
    {
        var onCluster = new InhibitRule([Matcher.Parse("alertname=\"ClusterDown\"")], [Matcher.Parse("severity=\"page\"")], ["cluster"]);
        var down = Make("acme", ("alertname", "ClusterDown"), ("cluster", "eu"));
        var page = Make("acme", ("alertname", "Latency"), ("cluster", "eu"), ("severity", "page"));
        var otherDown = Make("globex", ("alertname", "ClusterDown"), ("cluster", "eu"));
        var otherPage = Make("globex", ("alertname", "Latency"), ("cluster", "eu"), ("severity", "page"));
        var index = new InhibitionIndex(tenant => tenant == "acme" ? [onCluster] : [InhibitRule.PageInhibitsTicket], [down, page, otherDown, otherPage]);

        Assert.Equal(down.Fingerprint, Assert.Single(index.SourcesOf(page)).Source.Fingerprint);
        Assert.Empty(index.SourcesOf(otherPage));
    }

    [Fact]
    public async Task ThePageOfOneTenantDoesNotTakeTheTicketOfTheSameSloOfAnotherTenantIntoItsIncident()
    {
        await using var h = await AlertingHarness.StartAsync("""
            route:
              receiver: nobody
            receivers:
              - name: nobody
            """);
        var now = h.Time.GetUtcNow();
        await h.SubmitAsync(In("acme", TestAlerts.Slo("checkout", "page", now)), In("globex", TestAlerts.Slo("checkout", "ticket", now)));

        var acme = Assert.Single(await h.Incidents.ListAsync("acme", null, null, null, CancellationToken.None));
        var globex = Assert.Single(await h.Incidents.ListAsync("globex", null, null, null, CancellationToken.None));
        Assert.Equal("page", acme.Severity);
        Assert.Equal("ticket", globex.Severity);
        Assert.Single((await h.Incidents.GetDetailAsync("acme", acme.Id, CancellationToken.None))!.Alerts);
        Assert.DoesNotContain(TimelineKinds.Joined, (await h.Incidents.GetDetailAsync("globex", globex.Id, CancellationToken.None))!.Timeline.Select(t => t.Kind));
        Assert.Null(await h.Incidents.GetDetailAsync("globex", acme.Id, CancellationToken.None));
        Assert.Empty(await h.Incidents.ListAsync(null, null, null, CancellationToken.None));
    }

    [Fact]
    public async Task EachTenantsAlertGoesToTheReceiverOfItsOwnRoutingWhileASilenceOfAnotherTenantLeavesItAlone()
    {
        await using var top = await RecordingReceiver.StartAsync();
        await using var acmeHook = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(top.Url, acmeHook.Url));
        var now = h.Time.GetUtcNow();
        await h.Silences.CreateAsync("globex", [Matcher.Parse("slo=\"checkout\"")], null, now.AddHours(1), "bob", "not acme's", CancellationToken.None);

        await h.SubmitAsync(In("acme", TestAlerts.Slo("checkout", "page", now)), In("globex", TestAlerts.Slo("checkout", "page", now)), TestAlerts.Slo("search", "page", now));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));

        var toAcme = Assert.Single(acmeHook.Requests);
        Assert.Equal("/pager", toAcme.Path);
        Assert.Equal("checkout", Assert.Single(toAcme.Json.GetProperty("alerts").EnumerateArray()).GetProperty("labels").GetProperty("slo").GetString());
        Assert.Equal("acme/{}:{slo=\"checkout\"}", toAcme.Json.GetProperty("groupKey").GetString());

        // The top level routes the default tenant (unchanged group key) and globex, whose alert its own silence mutes.
        var toTop = Assert.Single(top.Requests);
        Assert.Equal("{}:{slo=\"search\"}", toTop.Json.GetProperty("groupKey").GetString());

        await using var connection = await h.DataSource.OpenConnectionAsync();
        var logged = (await connection.QueryAsync<(string Tenant, string Receiver, string GroupKey)>(
            "SELECT tenant, receiver, group_key FROM notification_log ORDER BY tenant, group_key")).ToList();
        Assert.Equal([("acme", "pager", "acme/{}:{slo=\"checkout\"}"), ("default", "top", "{}:{slo=\"search\"}")], logged);
        Assert.Equal(["acme", "default"], await connection.QueryAsync<string>("SELECT tenant FROM notification_outbox ORDER BY tenant"));
        Assert.Equal("silence:", (await connection.QuerySingleAsync<string>("SELECT muted_by FROM alert WHERE tenant = 'globex'"))[..8]);
        Assert.Null(await connection.QuerySingleAsync<string?>("SELECT muted_by FROM alert WHERE tenant = 'acme'"));
    }

    [Fact]
    public async Task AnotherTenantsSilenceIsNotFoundNorExpiredNorCountedAgainstTheCap()
    {
        await using var h = await AlertingHarness.StartAsync("""
            route:
              receiver: nobody
            receivers:
              - name: nobody
            """, settings: new Dictionary<string, string?> { ["MaxSilencesPerTenant"] = "1" });
        var ends = h.Time.GetUtcNow().AddHours(1);
        var globex = await h.Silences.CreateAsync("globex", [Matcher.Parse("slo=\"a\"")], null, ends, "bob", "", CancellationToken.None);
        await h.Silences.CreateAsync("acme", [Matcher.Parse("slo=\"a\"")], null, ends, "alice", "", CancellationToken.None);

        Assert.Null(await h.Silences.GetAsync("acme", globex.Id, CancellationToken.None));
        Assert.Null(await h.Silences.ExpireAsync("acme", globex.Id, CancellationToken.None));
        Assert.Null(await h.Silences.UpdateAsync("acme", globex.Id, globex.Matchers, null, ends.AddHours(1), "alice", "", CancellationToken.None));
        Assert.Equal("active", (await h.Silences.GetAsync("globex", globex.Id, CancellationToken.None))!.StateAt(h.Time.GetUtcNow()));
        Assert.Equal(globex.Id, Assert.Single(await h.Silences.ListAsync("globex", includeExpired: true, CancellationToken.None)).Id);

        var refused = await Assert.ThrowsAsync<SilenceLimitException>(() =>
            h.Silences.CreateAsync("acme", [Matcher.Parse("slo=\"b\"")], null, ends, "alice", "", CancellationToken.None));
        Assert.Contains("Alerting:MaxSilencesPerTenant (1)", refused.Message, StringComparison.Ordinal);

        // Posting an expired silence again with its id (Alertmanager's update) makes a new one: the cap holds there too.
        var mine = Assert.Single(await h.Silences.ListAsync("acme", includeExpired: false, CancellationToken.None));
        await h.Silences.ExpireAsync("acme", mine.Id, CancellationToken.None);
        await h.Silences.CreateAsync("acme", [Matcher.Parse("slo=\"c\"")], null, ends, "alice", "", CancellationToken.None);
        await Assert.ThrowsAsync<SilenceLimitException>(() =>
            h.Silences.UpdateAsync("acme", mine.Id, mine.Matchers, null, ends, "alice", "", CancellationToken.None));
    }

    [Fact]
    public async Task TheMigrationGivesEveryExistingAlertingRowTheDefaultTenantAndKeysFingerprintsPerTenant()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE schema_version (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var (version, sql) in TestSchema.Migrations.Where(s => string.CompareOrdinal(s.Version, "0011") < 0))
        {
            await connection.ExecuteAsync(sql);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version });
        }

        await connection.ExecuteAsync("""
            INSERT INTO alert (fingerprint, labels, annotations, starts_at, updated_at) VALUES ('f', '{}', '{}', now(), now());
            INSERT INTO incident (fingerprint, state, severity, title, alert_labels, alert_annotations, alert_starts_at, opened_at)
            VALUES ('f', 'triggered', 'page', 'open', '{}', '{}', now(), now());
            INSERT INTO incident_alert (incident_id, fingerprint, role, alert_starts_at, joined_at)
            VALUES (currval('incident_id_seq'), 'f', 'primary', now(), now());
            INSERT INTO silence (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at)
            VALUES (gen_random_uuid(), '[]', now(), now() + interval '1 hour', 'alice', '', now(), now());
            INSERT INTO notification_log (receiver, group_key, firing, resolved, notified_at, sequence) VALUES ('r', 'g', '{f}', '{}', now(), 1);
            INSERT INTO notification_outbox (dedup_key, receiver, group_key, payload, incident_ids, state, created_at, next_attempt_at, deadline_at)
            VALUES ('d', 'r', 'g', '{}', '{1}', 'pending', now(), now(), now());
            """);
        await SloMonitor.Storage.MigrationRunner.ApplyAsync(database.DataSource, TestSchema.Migrations);

        foreach (var table in new[] { "alert", "incident", "incident_alert", "silence", "notification_log", "notification_outbox" })
        {
            Assert.Equal(["default"], await connection.QueryAsync<string>($"SELECT DISTINCT tenant FROM {table}"));
        }

        // The same fingerprint may be open in another tenant; twice in one tenant it may not.
        await connection.ExecuteAsync("""
            INSERT INTO incident (tenant, fingerprint, state, severity, title, alert_labels, alert_annotations, alert_starts_at, opened_at)
            VALUES ('acme', 'f', 'triggered', 'page', 'open', '{}', '{}', now(), now())
            """);
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync("""
            INSERT INTO incident (tenant, fingerprint, state, severity, title, alert_labels, alert_annotations, alert_starts_at, opened_at)
            VALUES ('acme', 'f', 'triggered', 'page', 'open', '{}', '{}', now(), now())
            """));
        Assert.Equal("incident_one_open_per_fingerprint", refused.ConstraintName);
        var unnamed = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO alert (fingerprint, labels, annotations, starts_at, updated_at) VALUES ('g', '{}', '{}', now(), now())"));
        Assert.Equal(Npgsql.PostgresErrorCodes.NotNullViolation, unnamed.SqlState);
    }
}
