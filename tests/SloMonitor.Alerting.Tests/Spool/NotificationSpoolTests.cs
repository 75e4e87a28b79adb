using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Spool;

namespace SloMonitor.Alerting.Tests.Spool;

public sealed class NotificationSpoolTests
{
    [Fact]
    public void DecisionsAndTheirDeliveryOutcomesAreReadBackByTheNextProcess()
    {
        var path = SpoolPath();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        var options = new AlertingOptions { SpoolFile = path };
        using (var spool = new NotificationSpool(options, time, NullLogger<NotificationSpool>.Instance))
        {
            Assert.True(spool.Add(Decision("a", time.GetUtcNow())));
            Assert.True(spool.Add(Decision("b", time.GetUtcNow())));
            var due = spool.TakeDue(time.GetUtcNow(), 10);
            Assert.Equal(2, due.Count);
            spool.Record(due[0], new SpooledAttempt(due[0].DedupKey, time.GetUtcNow(), 1, "delivered", null, null));
            spool.Record(due[1], new SpooledAttempt(due[1].DedupKey, time.GetUtcNow(), 1, "retried", "HTTP 503", time.GetUtcNow().AddSeconds(1)));
        }

        using var again = new NotificationSpool(options, time, NullLogger<NotificationSpool>.Instance);
        var messages = again.Decisions.SelectMany(d => d.Messages).ToList();
        Assert.Equal(["delivered", "pending"], messages.Select(m => m.State));
        Assert.Empty(again.TakeDue(time.GetUtcNow(), 10)); // the retry is not due yet, the delivered one never again
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("b", Assert.Single(again.TakeDue(time.GetUtcNow(), 10)).DedupKey);
        Assert.Equal(["a", "b"], again.LastDecisions().Keys.Select(k => k.GroupKey).Order());
    }

    [Fact]
    public void TheFileNeverGrowsPastItsBoundAndWhatDoesNotFitIsKeptInMemory()
    {
        var path = SpoolPath();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        using var spool = new NotificationSpool(new AlertingOptions { SpoolFile = path, SpoolMaxBytes = 4096 }, time, NullLogger<NotificationSpool>.Instance);
        var durable = 0;
        for (var i = 0; i < 40; i++)
        {
            durable += spool.Add(Decision("g" + i, time.GetUtcNow())) ? 1 : 0;
        }

        Assert.InRange(durable, 1, 39);
        Assert.Equal(40, spool.Decisions.Count);
        Assert.InRange(new FileInfo(path).Length, 1, 4096);
        Assert.Equal(40, spool.TakeDue(time.GetUtcNow(), 100).Count);
    }

    private static SpooledDecision Decision(string group, DateTimeOffset at) => new()
    {
        Receiver = "hook",
        GroupKey = group,
        Firing = ["f-" + group],
        Resolved = [],
        DecidedAt = at,
        Sequence = 1,
        Messages =
        [
            new SpooledMessage
            {
                DedupKey = group,
                Notification = new Notification("hook", group, "firing", new Dictionary<string, string>(), [], at, at.AddHours(4)),
                DeadlineAt = at.AddHours(1),
                NextAttemptAt = at,
            },
        ],
    };

    private static string SpoolPath() => Path.Combine(Path.GetTempPath(), $"spool-{Guid.NewGuid():N}", "notification-spool.log");
}
