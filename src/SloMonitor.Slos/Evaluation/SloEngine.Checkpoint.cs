using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// The engine's checkpoints: every series' state as rows for <c>slo_state</c> and the local journal, restored at
/// start-up, merged when they come back late, and kept for SLOs not defined yet.
/// </summary>
public sealed partial class SloEngine
{
    // Checkpoint rows of SLOs not defined yet at restore time (API SLOs while PostgreSQL is still away), by SLO.
    private readonly Dictionary<string, List<SloSeriesCheckpoint>> _laterRestores = new(StringComparer.Ordinal);

    /// <summary>
    /// The state of every SLO's series, one row per track (the overall one, then each group), keyed so that a
    /// restore applies it only to an SLO whose SLI, grouping and retention are unchanged.
    /// </summary>
    public IReadOnlyList<SloSeriesCheckpoint> Checkpoint()
    {
        var rows = new List<SloSeriesCheckpoint>();
        foreach (var slo in _index.ToList())
        {
            foreach (var (key, track) in slo.Tracks.All())
            {
                rows.Add(new SloSeriesCheckpoint(slo.Definition.Name, slo.Tracks.CheckpointId + "/" + key, track.Checkpoint(), Tenant));
            }
        }

        return rows;
    }

    /// <summary>
    /// The state of the tracks that changed since the previous call (events recorded, slices judged, alert state),
    /// in the form of <see cref="Checkpoint"/>, for the local journal; clears their change marks.
    /// </summary>
    public IReadOnlyList<SloSeriesCheckpoint> CheckpointChanged()
    {
        var rows = new List<SloSeriesCheckpoint>();
        foreach (var slo in _index.ToList())
        {
            foreach (var (key, track) in slo.Tracks.All())
            {
                if (track.TakeChanged())
                {
                    rows.Add(new SloSeriesCheckpoint(slo.Definition.Name, slo.Tracks.CheckpointId + "/" + key, track.Checkpoint(), Tenant));
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// Restores series saved by <see cref="Checkpoint"/> into the SLOs running now (call after the definitions are
    /// loaded, before traffic). Rows of SLOs not defined yet are kept and restored when the SLO is created (before it
    /// takes events): API-defined SLOs load only once PostgreSQL answers. Rows of changed SLIs or damaged ones are
    /// skipped; returns how many tracks were restored now.
    /// </summary>
    public int Restore(IEnumerable<SloSeriesCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        lock (_changeLock)
        {
            var bySlo = new Dictionary<string, List<SloSeriesCheckpoint>>(StringComparer.Ordinal);
            foreach (var row in checkpoints)
            {
                if (!bySlo.TryGetValue(row.Slo, out var rows))
                {
                    bySlo[row.Slo] = rows = [];
                }

                rows.Add(row);
            }

            var restored = 0;
            foreach (var (name, rows) in bySlo)
            {
                if (_index.TryGet(name, out var slo))
                {
                    restored += Restore(slo, rows);
                }
                else
                {
                    _laterRestores[name] = rows;
                }
            }

            return restored;
        }
    }

    /// <summary>
    /// Adds checkpoint rows that came back late (PostgreSQL answered only after start-up) into the SLOs running now,
    /// which keep recording: the saved events are added slice by slice to what was recorded since (see
    /// <see cref="SliTrack.Merge"/>). Rows of SLOs not defined yet are kept for when they are created, beside any row
    /// of the same series kept before (the first is restored, the others added to it). Returns how many tracks took a row now.
    /// </summary>
    public int Merge(IEnumerable<SloSeriesCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        lock (_changeLock)
        {
            var merged = 0;
            foreach (var row in checkpoints)
            {
                if (!_index.TryGet(row.Slo, out var slo))
                {
                    if (!_laterRestores.TryGetValue(row.Slo, out var kept))
                    {
                        _laterRestores[row.Slo] = kept = [];
                    }

                    kept.Add(row); // added to the one kept before it, if any, when the SLO is created
                    continue;
                }

                var slash = row.SeriesKey.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0 || row.SeriesKey[..slash] != slo.Tracks.CheckpointId || slo.Tracks.ForRestore(row.SeriesKey[(slash + 1)..]) is not { } track)
                {
                    continue;
                }

                try
                {
                    track.Merge(row.State);
                    merged++;
                }
                catch (FormatException)
                {
                    // A damaged row loses that track's history only.
                }
            }

            return merged;
        }
    }

    /// <summary>The rows kept for SLOs not created yet, so that a full journal rewrite does not lose them.</summary>
    public IReadOnlyList<SloSeriesCheckpoint> LaterRestores()
    {
        lock (_changeLock)
        {
            return [.. _laterRestores.Values.SelectMany(rows => rows)];
        }
    }

    /// <summary>Forgets the rows kept for SLOs that were never created (once every source of definitions has loaded).</summary>
    public int DropLaterRestores()
    {
        lock (_changeLock)
        {
            var count = _laterRestores.Count;
            _laterRestores.Clear();
            return count;
        }
    }

    private static int Restore(CompiledSlo slo, List<SloSeriesCheckpoint> rows)
    {
        var restored = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var slash = row.SeriesKey.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || row.SeriesKey[..slash] != slo.Tracks.CheckpointId || slo.Tracks.ForRestore(row.SeriesKey[(slash + 1)..]) is not { } track)
            {
                continue;
            }

            try
            {
                if (seen.Add(row.SeriesKey))
                {
                    track.Restore(row.State);
                }
                else
                {
                    track.Merge(row.State); // a second row of the series: one that came back from the database later
                }

                restored++;
            }
            catch (FormatException)
            {
                // A damaged row loses that track's history only.
            }
        }

        return restored;
    }
}
