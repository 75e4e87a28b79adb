using System.Collections.Concurrent;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Recording;

/// <summary>
/// The overall track of an SLO and, with <c>groupBy</c>, one track per value set up to the cardinality cap.
/// Events of groups past the cap still count in the overall track; they are counted in
/// <see cref="DroppedGroupEvents"/> and reported as a problem.
/// </summary>
internal sealed class TrackSet
{
    private readonly ConcurrentDictionary<string, GroupTrack> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GroupTrack>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _addLock = new();
    private volatile GroupTrack[] _groupList = [];
    private readonly SliDefinition _sli;
    private readonly TimeSpan _retention;
    private readonly int _histogramScale;
    private readonly TimeProvider _time;
    private long _droppedGroupEvents;
    private long _droppedTenantEvents;

    public TrackSet(SloDefinition definition, int maxGroups, TimeSpan retention, int histogramScale, TimeProvider time)
    {
        _sli = definition.Sli;
        _retention = retention;
        _histogramScale = histogramScale;
        _time = time;
        Retention = retention;
        GroupBy = [.. definition.GroupBy];
        MaxGroups = maxGroups;
        Fingerprint = CompiledSlo.Fingerprint(definition);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Fingerprint + "\u001f" + retention.Ticks + "\u001f" + histogramScale));
        CheckpointId = Convert.ToHexStringLower(hash, 0, 8);
        Overall = new SliTrack(_sli, retention, histogramScale, time.GetUtcNow().ToUnixTimeMilliseconds());
        _lookup = _groups.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Fingerprint { get; }

    /// <summary>How far back the series keep data.</summary>
    public TimeSpan Retention { get; }

    public string[] GroupBy { get; }

    public int MaxGroups { get; }

    public SliTrack Overall { get; }

    /// <summary><see cref="Overall"/> alone, the tracks an evaluation of an SLO without groups was made from (one array, not one a round).</summary>
    internal SliTrack[] OverallOnly => field ??= [Overall];

    /// <summary>Burn attribution, exemplars and deploy markers of the SLO (null when turned off); kept with the tracks.</summary>
    public Attribution.SloAttribution? Attribution { get; set; }

    /// <summary>Names this set's data in checkpoints: a hash of the fingerprint and the retention.</summary>
    public string CheckpointId { get; }

    public long DroppedGroupEvents => Interlocked.Read(ref _droppedGroupEvents);

    /// <summary>The tenant's budget of group series this set takes its groups from (none: only <see cref="MaxGroups"/> bounds them).</summary>
    public GroupSeriesBudget? Budget { get; set; }

    /// <summary>Events of new groups refused because the tenant was at its cap of group series.</summary>
    public long DroppedTenantEvents => Interlocked.Read(ref _droppedTenantEvents);

    /// <summary>
    /// The groups, in the order they were created: an array swapped when a group is added, so that reading it takes
    /// no lock (the dictionary's <c>Values</c> and <c>Count</c> take all of its locks, a large share of a round).
    /// </summary>
    public IReadOnlyList<GroupTrack> Groups => _groupList;

    /// <summary>Every track with its key: "" for the overall track, the joined values for a group.</summary>
    public IEnumerable<(string Key, SliTrack Track)> All()
    {
        yield return ("", Overall);
        foreach (var (key, group) in _groups)
        {
            yield return (key, group.Track);
        }
    }

    /// <summary>The track to restore <paramref name="key"/> into ("" = overall), created for a group; null past the cap.</summary>
    public SliTrack? ForRestore(string key)
    {
        if (key.Length == 0)
        {
            return Overall;
        }

        if (Find(key) is { } existing)
        {
            return existing;
        }

        var values = key.Split('\u001f');
        return values.Length != GroupBy.Length || RejectNewGroup(0) ? null : Add(key, values);
    }

    /// <summary>The track of the group whose key (values joined by U+001F) is <paramref name="key"/>, if it exists.</summary>
    public SliTrack? Find(ReadOnlySpan<char> key) => _lookup.TryGetValue(key, out var existing) ? existing.Track : null;

    /// <summary>
    /// True (and the events counted as dropped) when no new group may be created: the SLO is at its cap, or its
    /// tenant at its cap of group series. False takes room in the tenant's budget, for the <see cref="Add"/> that follows.
    /// </summary>
    public bool RejectNewGroup(long events)
    {
        if (_groupList.Length >= MaxGroups)
        {
            Interlocked.Add(ref _droppedGroupEvents, events);
            return true;
        }

        if (Budget is { } budget && !budget.TryTake())
        {
            Interlocked.Add(ref _droppedTenantEvents, events);
            return true;
        }

        return false;
    }

    /// <summary>Creates (or finds, when another thread was first) the group with these attribute values.</summary>
    public SliTrack Add(string key, string[] values)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < GroupBy.Length; i++)
        {
            labels[GroupBy[i]] = values[i];
        }

        var created = new GroupTrack(labels, new SliTrack(_sli, _retention, _histogramScale, _time.GetUtcNow().ToUnixTimeMilliseconds()));
        var group = _groups.GetOrAdd(key, created);
        if (!ReferenceEquals(group, created))
        {
            Budget?.Give(1); // another thread created it first, with room of its own
        }
        else
        {
            lock (_addLock)
            {
                _groupList = [.. _groupList, created];
            }
        }

        return group.Track;
    }
}

internal sealed record GroupTrack(IReadOnlyDictionary<string, string> Labels, SliTrack Track)
{
    /// <summary>The group's values joined: statuses list groups in this order.</summary>
    public string SortKey { get; } = string.Join('\u001f', Labels.Values);
}
