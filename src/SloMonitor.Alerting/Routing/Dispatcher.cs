using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Configuration;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Receivers;
using SloMonitor.Alerting.Spool;

namespace SloMonitor.Alerting.Routing;

/// <summary>
/// Routes alerts into aggregation groups and, when a group is due, decides with the notification log whether its
/// receiver must hear about it (new firing alerts, resolves of alerts it was told about, or repeatInterval
/// passed). A decision is written with its outbox rows in one transaction. While PostgreSQL is away (or the local
/// spool still holds incident changes it has not written), decisions, resolutions and mute changes go to the local
/// <see cref="NotificationSpool"/> instead, decided against the notification log as last known. In memory, a
/// change counts as recorded only once its transaction committed or its spool record is on disk. All state changes
/// go through <see cref="Gate"/>.
/// </summary>
internal sealed class Dispatcher(
    AlertingConfig config,
    AlertingOptions options,
    NpgsqlDataSource dataSource,
    AlertStore alertStore,
    MuteEvaluator mutes,
    DatabaseOutage outage,
    NotificationSpool spool,
    TimeProvider time,
    ILogger<Dispatcher> logger)
{
    // What each receiver was last told about each group, as last read or written: decides while the database is away.
    private readonly Dictionary<(string Receiver, string GroupKey), NotificationLogEntry> _notified = new(spool.LastDecisions());

    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _mutedBy = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolutionRecorded = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Receiver, string GroupKey), AggregationGroup> _groups = [];
    private bool _recovered;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public int GroupCount => _groups.Count;

    /// <summary>Incident and notification writes go to the local spool now (the database is away, or the spool has changes it has not written yet).</summary>
    public bool Deferring => outage.IsDown || spool.HasIncidentWork;

    public DatabaseOutage Outage => outage;

    public MuteEvaluator Mutes => mutes;

    /// <summary>Every alert known, by fingerprint. Caller holds <see cref="Gate"/>.</summary>
    public IReadOnlyDictionary<string, Alert> Alerts => _alerts;

    /// <summary>Remembers what a receiver was told about a group once that is in the database. Caller holds <see cref="Gate"/>.</summary>
    public void Notified(string receiver, string groupKey, NotificationLogEntry entry)
    {
        if (!_notified.TryGetValue((receiver, groupKey), out var known) || known.NotifiedAt <= entry.NotifiedAt)
        {
            _notified[(receiver, groupKey)] = entry;
        }
    }

    public Alert? Find(string fingerprint) => _alerts.GetValueOrDefault(fingerprint);

    /// <summary>The receivers of the alert's tenant's routing that take it.</summary>
    public IReadOnlyList<string> ReceiversFor(Alert alert) =>
        config.For(alert.Tenant).Root.Match(alert.Labels).Select(r => r.Receiver).Distinct(StringComparer.Ordinal).ToList();

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

        foreach (var route in config.For(alert.Tenant).Root.Match(alert.Labels))
        {
            var groupKey = route.GroupKeyFor(alert.Tenant, alert.Labels, out var groupLabels);
            if (!_groups.TryGetValue((route.Receiver, groupKey), out var group))
            {
                group = new AggregationGroup(route, groupKey, groupLabels, now + route.GroupWait, alert.Tenant);
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

            if (Deferring)
            {
                return;
            }

            var now = time.GetUtcNow();
            IReadOnlyList<(Alert Alert, string? MutedBy)> recovered;
            try
            {
                recovered = await alertStore.LoadForRecoveryAsync(now, cancellationToken);
                foreach (var (key, entry) in await NotificationLog.ListAsync(dataSource, cancellationToken))
                {
                    Notified(key.Receiver, key.GroupKey, entry);
                }
            }
            catch (Exception e) when (outage.Caught(e))
            {
                return; // tried again once the database answers
            }

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
            if (!outage.IsDown)
            {
                try
                {
                    await mutes.RefreshAsync(cancellationToken);
                }
                catch (Exception e) when (outage.Caught(e))
                {
                    // The silences last loaded keep applying.
                }
            }

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

                decided += await FlushOrSpoolAsync(group, muted, now, cancellationToken);
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

    private async Task<int> FlushOrSpoolAsync(AggregationGroup group, Dictionary<string, MuteReason> muted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!Deferring)
        {
            try
            {
                return await FlushAsync(group, muted, now, cancellationToken);
            }
            catch (Exception e) when (outage.Caught(e))
            {
                // Nothing was committed: decide again, into the spool.
            }
        }

        return SpoolDecision(group, muted, now);
    }

    /// <summary>What a flush of <paramref name="group"/> decides, given what its receiver was told last; null when nothing.</summary>
    private Decision? Decide(AggregationGroup group, ReceiverConfig receiver, Dictionary<string, MuteReason> muted, DateTimeOffset now, NotificationLogEntry? previous)
    {
        var firing = group.Alerts.Values.Where(a => !a.IsResolvedAt(now) && !muted.ContainsKey(a.Fingerprint)).OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        var previousFiring = previous?.Firing ?? new HashSet<string>();

        // A resolve is owed only for alerts the receiver was told are firing; a mute never swallows it.
        var resolved = group.Alerts.Values.Where(a => a.IsResolvedAt(now) && previousFiring.Contains(a.Fingerprint)).OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        var newFiring = firing.Any(a => !previousFiring.Contains(a.Fingerprint));
        var repeatDue = firing.Count > 0 && previous is not null && now >= previous.NotifiedAt + group.Route.RepeatInterval;
        if (!newFiring && resolved.Count == 0 && !repeatDue)
        {
            return null;
        }

        // The receiver still believes muted alerts it was told about are firing; keep them so their resolve is sent.
        var stillBelieved = group.Alerts.Values
            .Where(a => !a.IsResolvedAt(now) && muted.ContainsKey(a.Fingerprint) && previousFiring.Contains(a.Fingerprint))
            .Select(a => a.Fingerprint);
        var recordedFiring = firing.Select(a => a.Fingerprint).Concat(stillBelieved).Order(StringComparer.Ordinal).ToArray();
        var resolvedFingerprints = resolved.Select(a => a.Fingerprint).ToArray();
        var sendResolved = receiver.SendResolved ? resolved : [];
        if (firing.Count == 0 && sendResolved.Count == 0)
        {
            // Only resolves, and this receiver does not want them: remember, send nothing.
            return new Decision(recordedFiring, resolvedFingerprints, [], false, 0, 0);
        }

        var alerts = firing.Concat(sendResolved).Select(a => ToNotificationAlert(a, now)).ToList();
        var notification = new Notification(
            receiver.Name,
            group.GroupKey,
            firing.Count > 0 ? "firing" : "resolved",
            group.GroupLabels,
            alerts,
            now,
            now + group.Route.RepeatInterval + group.Route.GroupInterval + group.Route.GroupInterval,
            group.Tenant);
        List<(string? Fingerprint, Notification Message)> messages = receiver.Kind == ReceiverKind.None
            ? []
            : receiver.PerAlert
                ? alerts.Select(a => ((string?)a.Fingerprint, notification with { Status = a.Status, Alerts = [a] })).ToList()
                : [(null, notification)];
        return new Decision(recordedFiring, resolvedFingerprints, messages, true, firing.Count, sendResolved.Count);
    }

    private async Task<int> FlushAsync(AggregationGroup group, Dictionary<string, MuteReason> muted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var receiver = config.For(group.Tenant).Receivers[group.Route.Receiver];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previous = await NotificationLog.LockAndGetAsync(connection, transaction, group.Tenant, receiver.Name, group.GroupKey);
        if (Decide(group, receiver, muted, now, previous) is not { } decision)
        {
            return 0;
        }

        var sequence = await NotificationLog.RecordAsync(connection, transaction, group.Tenant, receiver.Name, group.GroupKey, decision.Firing, decision.Resolved, now);
        var deadline = now + options.DeliveryDeadline;
        foreach (var (fingerprint, message) in decision.Messages)
        {
            var ids = await IncidentStore.LatestIdsAsync(connection, transaction, group.Tenant, fingerprint is null ? message.Alerts.Select(a => a.Fingerprint).ToArray() : [fingerprint]);
            await OutboxStore.EnqueueAsync(connection, transaction, DedupKey(receiver.Name, group.GroupKey, sequence, fingerprint), message, ids, now, deadline);
        }

        await transaction.CommitAsync(cancellationToken);
        Notified(receiver.Name, group.GroupKey, decision.Entry(now, sequence));
        if (!decision.Notifies)
        {
            return 0;
        }

        logger.LogInformation("Notification {Sequence} for receiver {Receiver} group {GroupKey}: {Firing} firing, {Resolved} resolved",
            sequence, receiver.Name, group.GroupKey, decision.FiringCount, decision.ResolvedCount);
        return 1;
    }

    /// <summary>Decides against the notification log as last known and spools the decision (on disk before it counts).</summary>
    private int SpoolDecision(AggregationGroup group, Dictionary<string, MuteReason> muted, DateTimeOffset now)
    {
        var receiver = config.For(group.Tenant).Receivers[group.Route.Receiver];
        var previous = _notified.GetValueOrDefault((receiver.Name, group.GroupKey));
        if (Decide(group, receiver, muted, now, previous) is not { } decision)
        {
            return 0;
        }

        var sequence = (previous?.Sequence ?? 0) + 1;
        var deadline = now + options.DeliveryDeadline;
        var spooled = new SpooledDecision
        {
            Tenant = group.Tenant,
            Receiver = receiver.Name,
            GroupKey = group.GroupKey,
            Firing = decision.Firing,
            Resolved = decision.Resolved,
            DecidedAt = now,
            Sequence = sequence,
            Messages = decision.Messages.Select(m => new SpooledMessage
            {
                DedupKey = SpoolDedupKey(receiver.Name, group.GroupKey, now, m.Fingerprint),
                Notification = m.Message,
                DeadlineAt = deadline,
                NextAttemptAt = now,
            }).ToList(),
        };
        if (!spool.Add(spooled))
        {
            logger.LogError("Notification for receiver {Receiver} group {GroupKey} could not be spooled on disk; it is delivered from memory", receiver.Name, group.GroupKey);
        }

        _notified[(receiver.Name, group.GroupKey)] = decision.Entry(now, sequence);
        if (!decision.Notifies)
        {
            return 0;
        }

        logger.LogInformation("Notification for receiver {Receiver} group {GroupKey} spooled while PostgreSQL is away: {Firing} firing, {Resolved} resolved",
            receiver.Name, group.GroupKey, decision.FiringCount, decision.ResolvedCount);
        return 1;
    }

    private sealed record Decision(string[] Firing, string[] Resolved, IReadOnlyList<(string? Fingerprint, Notification Message)> Messages, bool Notifies, int FiringCount, int ResolvedCount)
    {
        public NotificationLogEntry Entry(DateTimeOffset at, long sequence) =>
            new(Firing.ToHashSet(StringComparer.Ordinal), Resolved.ToHashSet(StringComparer.Ordinal), at, sequence);
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

    /// <summary>
    /// Alerts whose endsAt passed resolve their incident, as if a resolve had been received. They count as recorded
    /// once the transaction committed, or once the spool holds them; a failed write is tried again next tick.
    /// </summary>
    private async Task ResolveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = _alerts.Values.Where(a => a.IsResolvedAt(now) && !_resolutionRecorded.Contains(a.Fingerprint)).ToList();
        if (expired.Count == 0)
        {
            return;
        }

        if (!Deferring)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var (firing, inhibitions) = FiringWith([], now);
                var placer = new IncidentPlacer(connection, transaction, firing, inhibitions, ReceiversFor, now);
                await placer.ApplyAsync(expired);
                await transaction.CommitAsync(cancellationToken);
                MarkResolutionsRecorded(expired);
                return;
            }
            catch (Exception e) when (outage.Caught(e))
            {
                // Into the spool, with the time it happened.
            }
        }

        spool.Add(new SpooledIncidentWork(now, expired, null));
        MarkResolutionsRecorded(expired);
    }

    private void MarkResolutionsRecorded(IEnumerable<Alert> alerts)
    {
        foreach (var alert in alerts)
        {
            _resolutionRecorded.Add(alert.Fingerprint);
        }
    }

    /// <summary>A mute that began or ended is written (the alert's mute and its incident's timeline, in one transaction) before memory takes it.</summary>
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

            var mute = new SpooledMute(alert.Fingerprint, reason?.Key, reason?.TimelineKind ?? TimelineKinds.Routed, System.Text.Json.JsonSerializer.SerializeToElement<object>(reason is not null
                ? reason.Details
                : new Dictionary<string, object?> { ["reason"] = "no longer muted", ["previously"] = previous, ["receivers"] = ReceiversFor(alert) }), alert.Tenant);
            if (!Deferring)
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await WriteMuteAsync(connection, transaction, mute, now);
                    await transaction.CommitAsync(cancellationToken);
                    _mutedBy[alert.Fingerprint] = reason?.Key;
                    continue;
                }
                catch (Exception e) when (outage.Caught(e))
                {
                    // Into the spool, with the time it happened.
                }
            }

            spool.Add(new SpooledIncidentWork(now, null, mute));
            _mutedBy[alert.Fingerprint] = reason?.Key;
        }
    }

    /// <summary>Writes a mute change: the alert's <c>muted_by</c> and, when it has an open incident, the timeline entry at <paramref name="at"/>.</summary>
    internal static async Task WriteMuteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, SpooledMute mute, DateTimeOffset at)
    {
        await AlertStore.SetMutedAsync(connection, transaction, mute.Tenant, mute.Fingerprint, mute.MutedBy);
        if (await IncidentStore.OpenIdAsync(connection, transaction, mute.Tenant, mute.Fingerprint) is { } incidentId)
        {
            await IncidentStore.AppendAsync(connection, transaction, [incidentId], mute.TimelineKind, IncidentStore.SystemActor, mute.Details, at);
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

    /// <summary>The key of a message decided into the spool: stable per decision, never one the outbox gave before.</summary>
    internal static string SpoolDedupKey(string receiver, string groupKey, DateTimeOffset decidedAt, string? fingerprint)
    {
        var text = $"{receiver}\n{groupKey}\nspool:{decidedAt.ToUnixTimeMilliseconds()}\n{fingerprint}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>Stable per decision: the same receiver, group and sequence always give the same key.</summary>
    internal static string DedupKey(string receiver, string groupKey, long sequence, string? fingerprint)
    {
        var text = $"{receiver}\n{groupKey}\n{sequence}\n{fingerprint}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
