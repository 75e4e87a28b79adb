using Dapper;
using Prometheus;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Tests.Support;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Delivery;

public sealed class DeliveryTests
{
    private static string Routing(Uri receiver, string name, string timeout = "2s") => $"""
        route:
          receiver: {name}
          groupWait: 30s
        receivers:
          - name: {name}
            timeout: {timeout}
            webhook:
              url: {receiver}
        """;

    [Fact]
    public async Task AReceiverThatTimesOutIsRetriedAndTheNotificationIsDeliveredOnceByItsDedupKey()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Respond = async (_, index, cancel) =>
        {
            if (index == 0)
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }

            return 200;
        };
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, "slow-hook"));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));

        h.Time.Advance(TimeSpan.FromSeconds(30));
        var tick = h.TickAsync();
        await receiver.WaitForAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await tick;
        Assert.Equal(1, await h.PendingOutboxAsync());

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        await h.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Header("Idempotency-Key")).Distinct());
        Assert.Equal(0, await h.PendingOutboxAsync());
        var incident = await h.SingleOpenIncidentAsync("checkout");
        var kinds = await h.TimelineKindsAsync(incident.Id);
        Assert.Equal([TimelineKinds.NotifyFailed, TimelineKinds.Notified], kinds.Where(k => k.StartsWith("notif", StringComparison.Ordinal)));
        var failed = (await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline.Single(t => t.Kind == TimelineKinds.NotifyFailed);
        Assert.Equal("timed out after 2s", failed.Details.GetProperty("error").GetString());
        Assert.True(failed.Details.GetProperty("willRetry").GetBoolean());
        Assert.Equal(1, Counter(h, "slow-hook", "delivered"));
        Assert.Equal(1, Counter(h, "slow-hook", "retried"));
    }

    [Fact]
    public async Task A4xxAnswerIsNotRetriedAndTheTimelineRecordsTheFailure()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Respond = (_, _, _) => Task.FromResult(400);
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, "bad-request-hook"));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Single(receiver.Requests);
        Assert.Equal(0, await h.PendingOutboxAsync());
        var incident = await h.SingleOpenIncidentAsync("checkout");
        var failed = Assert.Single((await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.NotifyFailed);
        Assert.False(failed.Details.GetProperty("willRetry").GetBoolean());
        Assert.StartsWith("HTTP 400", failed.Details.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Counter(h, "bad-request-hook", "failed"));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task RetryableAnswersAreRetriedWithGrowingBackoffUntilTheDeadline(int status)
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Respond = (_, _, _) => Task.FromResult(status);
        var name = $"down-hook-{status}";
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, name));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));

        // Backoff 1s·2^(n-1) capped at 8s, with jitter of up to half; the deadline is one minute after the decision.
        for (var i = 0; i < 130; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromMilliseconds(500));
        }

        var count = receiver.Requests.Count;
        Assert.InRange(count, 8, 20);
        Assert.Equal(0, await h.PendingOutboxAsync());
        await using var connection = await h.Database.DataSource.OpenConnectionAsync();
        var (state, attempts) = await connection.QuerySingleAsync<(string, int)>("SELECT state, attempts FROM notification_outbox");
        Assert.Equal("failed", state);
        Assert.Equal(count, attempts);
        Assert.Equal(1, Counter(h, name, "failed"));
        Assert.Equal(count - 1, Counter(h, name, "retried"));
    }

    [Fact]
    public async Task ARefusedConnectionIsANetworkErrorThatIsRetried()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var h = await AlertingHarness.StartAsync(Routing(new Uri($"http://127.0.0.1:{port}/"), "refused-hook"));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, await h.PendingOutboxAsync());
        var incident = await h.SingleOpenIncidentAsync("checkout");
        var failed = Assert.Single((await h.Incidents.GetDetailAsync(incident.Id, CancellationToken.None))!.Timeline, t => t.Kind == TimelineKinds.NotifyFailed);
        Assert.StartsWith("network error:", failed.Details.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(failed.Details.GetProperty("willRetry").GetBoolean());
    }

    [Fact]
    public async Task ANotificationDecidedByAProcessThatDiedBeforeSendingIsDeliveredByTheNextOne()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var yaml = Routing(receiver.Url, "after-crash-hook");
        await using var first = await AlertingHarness.StartAsync(yaml);
        await first.SubmitAsync(TestAlerts.Slo("checkout", "page", first.Time.GetUtcNow()));
        first.Time.Advance(TimeSpan.FromSeconds(30));

        // The decision is committed with its outbox row; the process dies before it delivers.
        var dispatcher = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alerting.Routing.Dispatcher>(first.Services);
        Assert.Equal(1, await dispatcher.FlushDueAsync(CancellationToken.None));
        await first.Services.DisposeAsync();

        await using var second = await first.RestartAsync(yaml);
        await second.TickAsync();
        await second.AdvanceAsync(TimeSpan.FromMinutes(1));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("firing", request.Json.GetProperty("status").GetString());
        Assert.Equal(0, await second.PendingOutboxAsync());
    }

    [Fact]
    public async Task AResolvePendingWhenTheProcessStopsIsSentAfterTheRestart()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var yaml = Routing(receiver.Url, "resolve-after-restart-hook");
        await using var first = await AlertingHarness.StartAsync(yaml);
        var alert = TestAlerts.Slo("checkout", "page", first.Time.GetUtcNow());
        await first.SubmitAsync(alert);
        await first.AdvanceAsync(TimeSpan.FromSeconds(30));
        await first.SubmitAsync(TestAlerts.Resolved(alert, first.Time.GetUtcNow()));
        await first.Services.DisposeAsync();

        await using var second = await first.RestartAsync(yaml);
        await second.TickAsync();
        await second.AdvanceAsync(TimeSpan.FromSeconds(30));
        await second.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(["firing", "resolved"], receiver.Requests.Select(r => r.Json.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task TwoInstancesDecidingAboutTheSameGroupAtOnceSendOneNotification()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var yaml = Routing(receiver.Url, "two-instances-hook");
        await using var first = await AlertingHarness.StartAsync(yaml);
        await using var second = await first.RestartAsync(yaml);
        var alert = TestAlerts.Slo("checkout", "page", first.Time.GetUtcNow());
        await first.SubmitAsync(alert);
        await second.SubmitAsync(alert);

        first.Time.Advance(TimeSpan.FromSeconds(30));
        await Task.WhenAll(Task.Run(first.TickAsync), Task.Run(second.TickAsync));
        await first.AdvanceAsync(TimeSpan.FromMinutes(1));
        await second.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task ADeliveryClaimedByAProcessThatDiedIsRetriedWhenItsLeaseEnds()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var yaml = Routing(receiver.Url, "lease-hook");
        await using var first = await AlertingHarness.StartAsync(yaml);
        await first.SubmitAsync(TestAlerts.Slo("checkout", "page", first.Time.GetUtcNow()));
        first.Time.Advance(TimeSpan.FromSeconds(30));
        var dispatcher = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alerting.Routing.Dispatcher>(first.Services);
        await dispatcher.FlushDueAsync(CancellationToken.None);
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alerting.Delivery.OutboxStore>(first.Services);
        var now = first.Time.GetUtcNow();
        Assert.Single(await store.ClaimDueAsync(now, now.AddSeconds(12), 10, CancellationToken.None));
        await first.Services.DisposeAsync();

        await using var second = await first.RestartAsync(yaml);
        await second.AdvanceAsync(TimeSpan.FromSeconds(11));
        Assert.Empty(receiver.Requests);
        await second.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task TheBacklogGaugesCountUndeliveredNotificationsAndTheAgeOfTheOldest()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        receiver.Respond = (_, _, _) => Task.FromResult(503);
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, "gauge-hook"));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        var exposition = await Exposition(Metrics.DefaultRegistry);
        Assert.Contains("slomon_notification_queue_depth", exposition);
        Assert.Contains("slomon_notification_oldest_pending_age_seconds", exposition);
        Assert.Equal(1, await h.PendingOutboxAsync());

        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alerting.Delivery.OutboxStore>(h.Services);
        var (count, oldest) = await store.PendingAsync(CancellationToken.None);
        Assert.Equal(1, count);
        Assert.InRange((h.Time.GetUtcNow() - oldest!.Value).TotalSeconds, 0, 30); // decided after the group wait, within these 30 s
    }

    [Fact]
    public async Task DeliveredNotificationsLeaveTheOutboxAfterTheRetentionButPendingOnesStay()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var h = await AlertingHarness.StartAsync(Routing(receiver.Url, "retention-hook"));
        await h.SubmitAsync(TestAlerts.Slo("checkout", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        receiver.Respond = (_, _, _) => Task.FromResult(503);
        await h.SubmitAsync(TestAlerts.Slo("search", "page", h.Time.GetUtcNow()));
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));

        await using var connection = await h.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notification_outbox"));
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alerting.Delivery.OutboxStore>(h.Services);
        await store.PurgeAsync(h.Time.GetUtcNow().AddDays(1), CancellationToken.None);
        Assert.Equal("pending", Assert.Single(await connection.QueryAsync<string>("SELECT state FROM notification_outbox")));
        var incident = await h.SingleOpenIncidentAsync("checkout");
        Assert.Contains(TimelineKinds.Notified, await h.TimelineKindsAsync(incident.Id));
    }

    internal static double Counter(AlertingHarness h, string receiver, string outcome)
    {
        var metrics = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Alerting.Delivery.AlertingMetrics>(h.Services);
        var text = Exposition(metrics.RegistryOf(SloMonitor.Storage.Tenants.Default)).GetAwaiter().GetResult();
        var prefix = $"slomon_notifications_total{{receiver=\"{receiver}\",outcome=\"{outcome}\"}} ";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> Exposition(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
