using System.Data.Common;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Muting;

namespace SloMonitor.Alerting.Incidents;

/// <summary>
/// One problem, one incident: decides, for alerts that changed, which incident each belongs to, in the caller's
/// transaction. A firing alert that opens incidents and is inhibited by an alert of an open incident joins that
/// incident (its timeline says so) instead of opening its own; one that had its own incident merges it into that
/// one. When the alert that opened an incident resolves, the alerts that joined it and still fire outlive it: each
/// joins the incident of another alert inhibiting it, or opens its own. Any inhibition rule counts, not only the
/// page and ticket of an SLO. The database keeps every alert in at most one open incident.
/// </summary>
internal sealed class IncidentPlacer(
    DbConnection connection,
    DbTransaction transaction,
    IReadOnlyDictionary<string, Alert> firing,
    InhibitionIndex inhibitions,
    Func<Alert, IReadOnlyList<string>> receiversFor,
    DateTimeOffset now)
{
    private readonly Dictionary<string, Membership?> _members = new(StringComparer.Ordinal);
    private readonly List<long> _opened = [];

    /// <summary>The incidents opened.</summary>
    public IReadOnlyList<long> Opened => _opened;

    public async Task ApplyAsync(IReadOnlyList<Alert> changed)
    {
        await LoadAsync(changed.Select(a => a.Fingerprint));

        // Resolved alerts leave first; an incident whose opening alert resolved ends and leaves its joined alerts behind.
        var outliving = new List<(Alert Alert, long From)>();
        foreach (var alert in changed.Where(a => a.IsResolvedAt(now)).OrderBy(a => _members[a.Fingerprint]?.Role == Membership.Joined ? 0 : 1))
        {
            switch (_members[alert.Fingerprint])
            {
                case { Role: Membership.Joined } member:
                    await IncidentMembers.LeaveAsync(connection, transaction, alert.Fingerprint, IncidentMembers.LeftResolved, now);
                    await IncidentStore.AppendAsync(connection, transaction, [member.IncidentId], TimelineKinds.Left, IncidentStore.SourceActor,
                        Describe(alert, "the alert resolved", ("endsAt", alert.EndsAt)), now);
                    _members[alert.Fingerprint] = null;
                    break;
                case { Role: Membership.Primary }:
                    if (await IncidentStore.ResolveBySourceAsync(connection, transaction, alert.Tenant, alert.Fingerprint, alert.EndsAt!.Value, now) is { } resolved)
                    {
                        _members[alert.Fingerprint] = null;
                        foreach (var (fingerprint, _) in resolved.Outliving)
                        {
                            _members[fingerprint] = null;
                            if (firing.TryGetValue(fingerprint, out var still) && still.OpensIncident)
                            {
                                outliving.Add((still, resolved.Id));
                            }
                        }
                    }

                    break;
            }
        }

        // The alerts to place: those that fire, those a firing one inhibits (they may have to merge), those left behind.
        var toPlace = new Dictionary<string, Alert>(StringComparer.Ordinal);
        foreach (var alert in changed.Where(a => !a.IsResolvedAt(now)))
        {
            if (alert.OpensIncident)
            {
                toPlace.TryAdd(alert.Fingerprint, alert);
            }

            foreach (var target in inhibitions.TargetsOf(alert).Where(t => t.OpensIncident))
            {
                toPlace.TryAdd(target.Fingerprint, target);
            }
        }

        foreach (var (alert, _) in outliving)
        {
            toPlace.TryAdd(alert.Fingerprint, alert);
        }

        await LoadAsync(toPlace.Keys.Concat(toPlace.Values.SelectMany(a => inhibitions.SourcesOf(a)).Select(i => i.Source.Fingerprint)));
        var previous = outliving.ToDictionary(o => o.Alert.Fingerprint, o => o.From, StringComparer.Ordinal);

        // Alerts nothing inhibits first, then those whose inhibitor has its place, round after round (chains);
        // what is left (inhibitors that open no incident, or that inhibit each other) opens its own.
        var pending = toPlace.Values.OrderBy(a => a.StartsAt).ThenBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        foreach (var alert in pending.Where(a => inhibitions.SourcesOf(a).Count == 0).ToList())
        {
            await PlaceAsync(alert, previous.GetValueOrDefault(alert.Fingerprint));
            pending.Remove(alert);
        }

        for (var progress = true; pending.Count > 0 && progress;)
        {
            progress = false;
            foreach (var alert in pending.Where(a => inhibitions.SourcesOf(a).Any(i => _members.GetValueOrDefault(i.Source.Fingerprint) is not null)).ToList())
            {
                await PlaceAsync(alert, previous.GetValueOrDefault(alert.Fingerprint));
                pending.Remove(alert);
                progress = true;
            }
        }

        foreach (var alert in pending)
        {
            await PlaceAsync(alert, previous.GetValueOrDefault(alert.Fingerprint));
        }

        foreach (var (alert, from) in outliving)
        {
            await IncidentStore.AppendAsync(connection, transaction, [from], TimelineKinds.Left, IncidentStore.SystemActor,
                Describe(alert, "outlived the alert that inhibited it", ("nowIn", _members.GetValueOrDefault(alert.Fingerprint)?.IncidentId)), now);
        }
    }

    private async Task PlaceAsync(Alert alert, long previousIncident)
    {
        var current = _members.GetValueOrDefault(alert.Fingerprint);
        var homes = inhibitions.SourcesOf(alert)
            .Select(i => (Inhibitor: i, Member: _members.GetValueOrDefault(i.Source.Fingerprint)))
            .Where(h => h.Member is not null)
            .ToList();
        if (current is not null && (homes.Count == 0 || homes.Any(h => h.Member!.IncidentId == current.IncidentId)))
        {
            return;
        }

        foreach (var (inhibitor, member) in homes)
        {
            if (!await IncidentMembers.LockOpenAsync(connection, transaction, member!.IncidentId))
            {
                continue;
            }

            if (current is { Role: Membership.Primary })
            {
                foreach (var moved in await IncidentStore.MergeAsync(connection, transaction, current.IncidentId, member.IncidentId, now))
                {
                    _members[moved] = new Membership(moved, member.IncidentId, Membership.Joined);
                    await AppendJoinedAsync(member.IncidentId, firing.GetValueOrDefault(moved), moved, inhibitor, current.IncidentId);
                }

                return;
            }

            if (current is not null)
            {
                await IncidentMembers.LeaveAsync(connection, transaction, alert.Fingerprint, IncidentMembers.LeftMerged, now);
            }

            await IncidentMembers.AddAsync(connection, transaction, member.IncidentId, alert, Membership.Joined, now);
            _members[alert.Fingerprint] = new Membership(alert.Fingerprint, member.IncidentId, Membership.Joined);
            await AppendJoinedAsync(member.IncidentId, alert, alert.Fingerprint, inhibitor, current?.IncidentId);
            return;
        }

        if (current is null
            && await IncidentStore.OpenAsync(connection, transaction, alert, alert.Annotation("dashboard_url"), receiversFor(alert), now,
                previousIncident == 0 ? null : previousIncident) is { } id)
        {
            _members[alert.Fingerprint] = new Membership(alert.Fingerprint, id, Membership.Primary);
            _opened.Add(id);
        }
    }

    private Task AppendJoinedAsync(long incidentId, Alert? alert, string fingerprint, Inhibitor inhibitor, long? from)
    {
        var details = new Dictionary<string, object?>
        {
            ["fingerprint"] = fingerprint,
            ["alertname"] = alert?.Label("alertname"),
            ["severity"] = alert?.Label("severity"),
            ["labels"] = alert?.Labels,
            ["startsAt"] = alert?.StartsAt,
            ["reason"] = "inhibited by an alert of this incident",
            ["inhibitedBy"] = inhibitor.Source.Fingerprint,
            ["inhibitedByAlertname"] = inhibitor.Source.Label("alertname"),
            ["rule"] = inhibitor.Rule.ToString(),
        };
        if (from is { } previous)
        {
            details["mergedFrom"] = previous;
        }

        return IncidentStore.AppendAsync(connection, transaction, [incidentId], TimelineKinds.Joined, IncidentStore.SystemActor, details, now);
    }

    private static Dictionary<string, object?> Describe(Alert alert, string reason, (string Key, object? Value) extra) => new()
    {
        ["fingerprint"] = alert.Fingerprint,
        ["alertname"] = alert.Label("alertname"),
        ["severity"] = alert.Label("severity"),
        ["reason"] = reason,
        [extra.Key] = extra.Value,
    };

    private async Task LoadAsync(IEnumerable<string> fingerprints)
    {
        var missing = fingerprints.Where(f => !_members.ContainsKey(f)).Distinct(StringComparer.Ordinal).ToList();
        var found = await IncidentMembers.OpenOfAsync(connection, transaction, missing);
        foreach (var fingerprint in missing)
        {
            _members[fingerprint] = found.GetValueOrDefault(fingerprint);
        }
    }
}
