using System.Collections.Concurrent;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// The overall track of an SLO and, with <c>groupBy</c>, one track per value set up to the cardinality cap.
/// Events of groups past the cap still count in the overall track; they are counted in
/// <see cref="DroppedGroupEvents"/> and reported as a problem.
/// </summary>
internal sealed class TrackSet
{
    private readonly ConcurrentDictionary<string, GroupTrack> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GroupTrack>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly SliDefinition _sli;
    private readonly TimeSpan _retention;
    private readonly int _histogramScale;
    private readonly TimeProvider _time;
    private long _droppedGroupEvents;

    public TrackSet(SloDefinition definition, int maxGroups, TimeSpan retention, int histogramScale, TimeProvider time)
    {
        _sli = definition.Sli;
        _retention = retention;
        _histogramScale = histogramScale;
        _time = time;
        GroupBy = [.. definition.GroupBy];
        MaxGroups = maxGroups;
        Fingerprint = CompiledSlo.Fingerprint(definition);
        Overall = new SliTrack(_sli, retention, histogramScale, time.GetUtcNow().ToUnixTimeMilliseconds());
        _lookup = _groups.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Fingerprint { get; }

    public string[] GroupBy { get; }

    public int MaxGroups { get; }

    public SliTrack Overall { get; }

    public long DroppedGroupEvents => Interlocked.Read(ref _droppedGroupEvents);

    public ICollection<GroupTrack> Groups => _groups.Values;

    /// <summary>The track of the group whose key (values joined by U+001F) is <paramref name="key"/>, if it exists.</summary>
    public SliTrack? Find(ReadOnlySpan<char> key) => _lookup.TryGetValue(key, out var existing) ? existing.Track : null;

    /// <summary>True (and the events counted as dropped) when no new group may be created.</summary>
    public bool RejectNewGroup(long events)
    {
        if (_groups.Count < MaxGroups)
        {
            return false;
        }

        Interlocked.Add(ref _droppedGroupEvents, events);
        return true;
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
        return _groups.GetOrAdd(key, created).Track;
    }
}

internal sealed record GroupTrack(IReadOnlyDictionary<string, string> Labels, SliTrack Track);
