using Dapper;
using Npgsql;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Spool;

/// <summary>
/// Alerting on a PostgreSQL of the test's own that the test stops and starts at the moment it needs, on a fake clock:
/// what is decided while it is away is delivered from the local spool, and written into it with its real times later.
/// </summary>
public sealed class PostgresOutageTests
{
    private static string Routing(Uri receiver) => $"""
        route:
          receiver: hook
          groupWait: 30s
          groupInterval: 1m
        receivers:
          - name: hook
            webhook:
              url: {receiver}hook
        """;

    [Fact]
    public async Task APageDecidedWhilePostgresIsDownIsDeliveredThenAndItsIncidentAndDeliveryAreWrittenWithTheirRealTimesOnRecovery()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var dataSource = DataSourceFactory.Create(postgres.ConnectionString, "outage-tests");
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartOnAsync(dataSource, Routing(receiver.Url));
        await h.TickAsync();

        await postgres.StopAsync();
        var firedAt = h.Time.GetUtcNow();
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", firedAt));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        var decidedAt = h.Time.GetUtcNow();

        var page = Assert.Single(receiver.Requests);
        Assert.Equal("firing", page.Json.GetProperty("status").GetString());
        Assert.Equal(200, page.Answered);
        await h.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Single(receiver.Requests);

        await postgres.RestartAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var recoveredAt = h.Time.GetUtcNow();

        var incident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Equal(firedAt, incident.OpenedAt);
        var timeline = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline;
        Assert.Equal(firedAt, timeline.Single(t => t.Kind == TimelineKinds.Created).At);
        var notified = timeline.Single(t => t.Kind == TimelineKinds.Notified);
        Assert.Equal(decidedAt, notified.At);
        Assert.True(notified.At < recoveredAt);
        Assert.Equal(page.Header("Idempotency-Key"), notified.Details.GetProperty("dedupKey").GetString());
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            var row = await connection.QuerySingleAsync<(string DedupKey, string State)>("SELECT dedup_key, state FROM notification_outbox");
            Assert.Equal((page.Header("Idempotency-Key")!, "delivered"), row);
            Assert.Equal(["hook"], await connection.QueryAsync<string>("SELECT receiver FROM notification_log"));
        }

        // Group intervals pass with the database back: what the spool delivered is not sent again.
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Single(receiver.Requests);
        Assert.Equal(0, await h.PendingOutboxAsync());
    }

    [Fact]
    public async Task AResolutionWhilePostgresIsDownIsRetriedFromTheSpoolAndResolvesTheIncidentAtTheTimeItHappened()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var dataSource = DataSourceFactory.Create(postgres.ConnectionString, "outage-tests");
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartOnAsync(dataSource, Routing(receiver.Url));
        var start = h.Time.GetUtcNow();
        var alert = TestAlerts.Slo("checkout", "page", start, endsAt: start + TimeSpan.FromMinutes(2));
        await h.SubmitAsync(alert);
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Single(receiver.Requests);
        var incident = await h.SingleOpenIncidentAsync("checkout");

        // The alert's end passes while PostgreSQL is down: the resolution cannot be written then.
        await postgres.StopAsync();
        await h.AdvanceAsync(TimeSpan.FromMinutes(2));
        var resolvedAt = h.Time.GetUtcNow();
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        var resolve = receiver.Requests[^1];
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal("resolved", resolve.Json.GetProperty("status").GetString());

        await postgres.RestartAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));

        var after = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!;
        Assert.Equal(IncidentStates.Resolved, after.State);
        Assert.Equal(resolvedAt, after.ResolvedAt);
        Assert.Equal(resolvedAt, after.Timeline.Single(t => t.Kind == TimelineKinds.Resolved).At);
        Assert.Equal(2, after.Timeline.Count(t => t.Kind == TimelineKinds.Notified));
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task AMuteThatEndsWhilePostgresIsDownIsRecordedInTheTimelineAtTheTimeItEnded()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var dataSource = DataSourceFactory.Create(postgres.ConnectionString, "outage-tests");
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartOnAsync(dataSource, Routing(receiver.Url));
        var start = h.Time.GetUtcNow();
        await h.Silences.CreateAsync([SloMonitor.Alerting.Routing.Matcher.Parse("slo=\"checkout\"")], null, start + TimeSpan.FromMinutes(5), "alice", "deploy", CancellationToken.None);
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", start));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(receiver.Requests);
        var incident = await h.SingleOpenIncidentAsync("checkout");

        await postgres.StopAsync();
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        var unmutedAt = h.Time.GetUtcNow();
        Assert.Single(receiver.Requests); // the silence ended: the page goes out during the outage
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));

        await postgres.RestartAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));

        var timeline = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline;
        var routed = timeline.Last(t => t.Kind == TimelineKinds.Routed);
        Assert.Equal(unmutedAt, routed.At);
        Assert.Equal("no longer muted", routed.Details.GetProperty("reason").GetString());
        Assert.Single(timeline, t => t.Kind == TimelineKinds.Notified);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT muted_by FROM alert"));
    }

    [Fact]
    public async Task AnOutboxDeliveryThatEndsWhilePostgresIsDownIsRecordedWhenItAnswersAgainAndNotSentTwice()
    {
        await using var postgres = await OwnedPostgres.StartAsync();
        await using var dataSource = DataSourceFactory.Create(postgres.ConnectionString, "outage-tests");
        await using var receiver = await RecordingReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Respond = async (_, _, _) =>
        {
            await release.Task;
            return 200;
        };
        await using var h = await AlertingHarness.StartOnAsync(dataSource, Routing(receiver.Url));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        h.Time.Advance(TimeSpan.FromSeconds(30));
        var deliveredAt = h.Time.GetUtcNow();
        var tick = h.TickAsync();
        await receiver.WaitForAsync(1);

        // The receiver answers after PostgreSQL went away: the outcome cannot be written then.
        await postgres.StopAsync();
        release.SetResult();
        await tick;

        await postgres.RestartAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Single(receiver.Requests);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            Assert.Equal("delivered", await connection.ExecuteScalarAsync<string>("SELECT state FROM notification_outbox"));
        }

        var incident = await h.SingleOpenIncidentAsync("checkout");
        var notified = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline.Single(t => t.Kind == TimelineKinds.Notified);
        Assert.Equal(deliveredAt, notified.At);
    }
}
