using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Muting;

namespace SloMonitor.Alerting.Routing;

/// <summary>
/// Routes alerts into aggregation groups and, when a group is due, decides with the notification log whether its
/// receiver must hear about it (new firing alerts, resolves of alerts it was told about, or repeatInterval
/// passed). A decision is written with its outbox rows in one transaction. All state changes go through
/// <see cref="Gate"/>.
/// </summary>
internal sealed class Dispatcher(
    AlertingConfig config,
    AlertingOptions options,
    NpgsqlDataSource dataSource,
    AlertStore alertStore,
    MuteEvaluator mutes,
    TimeProvider time,
    ILogger<Dispatcher> logger)
{
    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _mutedBy = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolutionRecorded = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Receiver, string GroupKey), AggregationGroup> _groups = [];
    private bool _recovered;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public int GroupCount => _groups.Count;

    public Alert? Find(string fingerprint) => _alerts.GetValueOrDefault(fingerprint);

    public IReadOnlyList<string> ReceiversFor(IReadOnlyDictionary<string, string> labels) =>
        config.Root.Match(labels).Select(r => r.Receiver).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Puts an alert into the groups of every route that takes it. Caller holds <see cref="Gate"/>.</summary>
    public void Insert(Alert alert, DateTimeOffset now)
    {
        _alerts[alert.Fingerprint] = alert;
        if (alert.IsResolvedAt(now))
        {
            _resolutionRecorded.Add(alert.Fingerprint);
        }
        else
        {
            _resolutionRecorded.Remove(alert.Fingerprint);
        }

        foreach (var route in config.Root.Match(alert.Labels))
        {
            var groupKey = route.GroupKeyFor(alert.Labels, out var groupLabels);
            if (!_groups.TryGetValue((route.Receiver, groupKey), out var group))
            {
                group = new AggregationGroup(route, groupKey, groupLabels, now + route.GroupWait);
                _groups[(route.Receiver, groupKey)] = group;
            }

            group.Alerts[alert.Fingerprint] = alert;
        }
    }

    /// <summary>Rebuilds groups from the alerts in PostgreSQL after a start; runs once.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_recovered)
            {
                return;
            }

            var now = time.GetUtcNow();
            var recovered = await alertStore.LoadForRecoveryAsync(now, cancellationToken);
            foreach (var (alert, mutedBy) in recovered)
            {
                if (!_alerts.ContainsKey(alert.Fingerprint))
                {
                    _mutedBy[alert.Fingerprint] = mutedBy;
                    Insert(alert, now);
                    _resolutionRecorded.Remove(alert.Fingerprint);
                }
            }

            _recovered = true;
            if (recovered.Count > 0)
            {
                logger.LogInformation("Recovered {Count} alerts into {Groups} groups", recovered.Count, _groups.Count);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Flushes every group that is due; returns the number of notifications decided.</summary>
    public async Task<int> FlushDueAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(cancellationToken);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            await mutes.RefreshAsync(cancellationToken);
            await ResolveExpiredAsync(now, cancellationToken);
            var muted = mutes.Evaluate(_alerts.Values, now);
            await RecordMuteChangesAsync(muted, now, cancellationToken);

            var decided = 0;
            foreach (var (key, group) in _groups.ToList())
            {
                if (group.NextFlushAt > now)
                {
                    continue;
                }

                decided += await FlushAsync(group, muted, now, cancellationToken);
                group.NextFlushAt = now + group.Route.GroupInterval;
                foreach (var alert in group.Alerts.Values.Where(a => a.IsResolvedAt(now)).ToList())
                {
                    group.Alerts.Remove(alert.Fingerprint);
                }

                if (group.Alerts.Count == 0)
                {
                    _groups.Remove(key);
                }
            }

            ForgetResolvedOutsideGroups(now);
            return decided;
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<int> FlushAsync(AggregationGroup group, Dictionary<string, MuteReason> muted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var receiver = config.Receivers[group.Route.Receiver];
        var firing = group.Alerts.Values.Where(a => !a.IsResolvedAt(now) && !muted.ContainsKey(a.Fingerprint)).OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previous = await NotificationLog.LockAndGetAsync(connection, transaction, receiver.Name, group.GroupKey);
        var previousFiring = previous?.Firing ?? new HashSet<string>();

        // A resolve is owed only for alerts the receiver was told are firing; a mute never swallows it.
        var resolved = group.Alerts.Values.Where(a => a.IsResolvedAt(now) && previousFiring.Contains(a.Fingerprint)).OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        var newFiring = firing.Any(a => !previousFiring.Contains(a.Fingerprint));
        var repeatDue = firing.Count > 0 && previous is not null && now >= previous.NotifiedAt + group.Route.RepeatInterval;
        if (!newFiring && resolved.Count == 0 && !repeatDue)
        {
            return 0;
        }

        // The receiver still believes muted alerts it was told about are firing; keep them so their resolve is sent.
        var stillBelieved = group.Alerts.Values
            .Where(a => !a.IsResolvedAt(now) && muted.ContainsKey(a.Fingerprint) && previousFiring.Contains(a.Fingerprint))
            .Select(a => a.Fingerprint);
        var recordedFiring = firing.Select(a => a.Fingerprint).Concat(stillBelieved).Order(StringComparer.Ordinal).ToArray();
        var sendResolved = receiver.SendResolved ? resolved : [];
        if (firing.Count == 0 && sendResolved.Count == 0)
        {
            // Only resolves, and this receiver does not want them: remember, send nothing.
            await NotificationLog.RecordAsync(connection, transaction, receiver.Name, group.GroupKey, recordedFiring, resolved.Select(a => a.Fingerprint).ToArray(), now);
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        var alerts = firing.Concat(sendResolved).Select(a => ToNotificationAlert(a, now)).ToList();
        var notification = new Notification(
            receiver.Name,
            group.GroupKey,
            firing.Count > 0 ? "firing" : "resolved",
            group.GroupLabels,
            alerts,
            now,
            now + group.Route.RepeatInterval + group.Route.GroupInterval + group.Route.GroupInterval);

        var sequence = await NotificationLog.RecordAsync(connection, transaction, receiver.Name, group.GroupKey, recordedFiring, resolved.Select(a => a.Fingerprint).ToArray(), now);
        var deadline = now + options.DeliveryDeadline;
        if (receiver.Kind != Receivers.ReceiverKind.None)
        {
            if (receiver.PerAlert)
            {
                foreach (var alert in alerts)
                {
                    var single = notification with { Status = alert.Status, Alerts = [alert] };
                    var ids = await IncidentStore.LatestIdsAsync(connection, transaction, [alert.Fingerprint]);
                    await OutboxStore.EnqueueAsync(connection, transaction, DedupKey(receiver.Name, group.GroupKey, sequence, alert.Fingerprint), single, ids, now, deadline);
                }
            }
            else
            {
                var ids = await IncidentStore.LatestIdsAsync(connection, transaction, alerts.Select(a => a.Fingerprint).ToArray());
                await OutboxStore.EnqueueAsync(connection, transaction, DedupKey(receiver.Name, group.GroupKey, sequence, null), notification, ids, now, deadline);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Notification {Sequence} for receiver {Receiver} group {GroupKey}: {Firing} firing, {Resolved} resolved",
            sequence, receiver.Name, group.GroupKey, firing.Count, sendResolved.Count);
        return 1;
    }

    /// <summary>
    /// The alerts firing once <paramref name="changed"/> are taken in, by fingerprint, with their inhibitions.
    /// Caller holds <see cref="Gate"/>.
    /// </summary>
    public (Dictionary<string, Alert> Firing, InhibitionIndex Inhibitions) FiringWith(IEnumerable<Alert> changed, DateTimeOffset now)
    {
        var all = new Dictionary<string, Alert>(_alerts, StringComparer.Ordinal);
        foreach (var alert in changed)
        {
            all[alert.Fingerprint] = alert;
        }

        var firing = all.Values.Where(a => !a.IsResolvedAt(now)).ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        return (firing, mutes.Index(firing.Values, now));
    }

    /// <summary>External alerts whose endsAt passed resolve their incident, as if a resolve had been received.</summary>
    private async Task ResolveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = new List<Alert>();
        foreach (var alert in _alerts.Values)
        {
            if (alert.IsResolvedAt(now) && _resolutionRecorded.Add(alert.Fingerprint))
            {
                expired.Add(alert);
            }
        }

        if (expired.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (firing, inhibitions) = FiringWith([], now);
        var placer = new IncidentPlacer(connection, transaction, firing, inhibitions, ReceiversFor, now);
        await placer.ApplyAsync(expired);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task RecordMuteChangesAsync(Dictionary<string, MuteReason> muted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var alert in _alerts.Values)
        {
            if (alert.IsResolvedAt(now))
            {
                continue;
            }

            var reason = muted.GetValueOrDefault(alert.Fingerprint);
            var previous = _mutedBy.GetValueOrDefault(alert.Fingerprint);
            if (reason?.Key == previous)
            {
                continue;
            }

            await alertStore.SetMutedAsync(alert.Fingerprint, reason?.Key, cancellationToken);
            _mutedBy[alert.Fingerprint] = reason?.Key;
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            if (await IncidentStore.OpenIdAsync(connection, null, alert.Fingerprint) is not { } incidentId)
            {
                continue;
            }

            if (reason is not null)
            {
                await IncidentStore.AppendAsync(connection, null, [incidentId], reason.TimelineKind, IncidentStore.SystemActor, reason.Details, now);
            }
            else
            {
                await IncidentStore.AppendAsync(connection, null, [incidentId], TimelineKinds.Routed, IncidentStore.SystemActor,
                    new Dictionary<string, object?> { ["reason"] = "no longer muted", ["previously"] = previous, ["receivers"] = ReceiversFor(alert.Labels) }, now);
            }
        }
    }

    private void ForgetResolvedOutsideGroups(DateTimeOffset now)
    {
        var inGroups = _groups.Values.SelectMany(g => g.Alerts.Keys).ToHashSet(StringComparer.Ordinal);
        foreach (var alert in _alerts.Values.Where(a => a.IsResolvedAt(now) && !inGroups.Contains(a.Fingerprint)).ToList())
        {
            _alerts.Remove(alert.Fingerprint);
            _mutedBy.Remove(alert.Fingerprint);
            _resolutionRecorded.Remove(alert.Fingerprint);
        }
    }

    private static NotificationAlert ToNotificationAlert(Alert alert, DateTimeOffset now) =>
        new(alert.IsResolvedAt(now) ? "resolved" : "firing", alert.Labels, alert.Annotations, alert.StartsAt, alert.IsResolvedAt(now) ? alert.EndsAt : null, alert.GeneratorUrl, alert.Fingerprint);

    /// <summary>Stable per decision: the same receiver, group and sequence always give the same key.</summary>
    internal static string DedupKey(string receiver, string groupKey, long sequence, string? fingerprint)
    {
        var text = $"{receiver}\n{groupKey}\n{sequence}\n{fingerprint}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
