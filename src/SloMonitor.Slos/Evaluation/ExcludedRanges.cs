namespace SloMonitor.Slos.Evaluation;

/// <summary>A time range [<see cref="FromMs"/>, <see cref="ToMs"/>) taken out of an SLO's readings (a budget adjustment).</summary>
public readonly record struct ExcludedRange(long FromMs, long ToMs);

/// <summary>
/// Budget adjustments as readings see them: the ranges of an SLO, sorted and merged, subtracted from every window
/// read. What is subtracted is what the track holds for the part of each range inside the time the window's reading
/// counted (the edges of the slices it took), read as windows are read (the slices that start in it, from the finest
/// tier that keeps them), so events in slices wholly inside a range are removed exactly and a slice that straddles an
/// edge counts as the side its start is on.
/// </summary>
internal static class ExcludedRanges
{
    /// <summary>Sorted, overlapping and touching ranges merged, empty ones dropped.</summary>
    public static ExcludedRange[] Normalize(IEnumerable<ExcludedRange> ranges)
    {
        var sorted = ranges.Where(r => r.ToMs > r.FromMs).OrderBy(r => r.FromMs).ToList();
        var merged = new List<ExcludedRange>(sorted.Count);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.FromMs <= merged[^1].ToMs)
            {
                merged[^1] = merged[^1] with { ToMs = Math.Max(merged[^1].ToMs, range.ToMs) };
            }
            else
            {
                merged.Add(range);
            }
        }

        return [.. merged];
    }

    /// <summary><paramref name="reading"/> of [<paramref name="fromMs"/>, <paramref name="toMs"/>) less what the ranges inside it hold.</summary>
    public static TrackReading Apply(SliTrack track, TrackReading reading, long fromMs, long toMs, ExcludedRange[] ranges)
    {
        if (ranges.Length == 0)
        {
            return reading;
        }

        // A window read in the past takes whole slices, up to an hour of events after its end for data days old; the
        // part of a range inside what it counted is what comes out.
        var (countedFrom, countedTo) = track.CountedBounds(fromMs, toMs);
        foreach (var range in ranges)
        {
            var from = Math.Max(countedFrom, range.FromMs);
            var to = Math.Min(countedTo, range.ToMs);
            if (to <= from)
            {
                continue;
            }

            var excluded = track.Read(from, to, withLatency: false);
            reading = reading with
            {
                Good = Math.Max(0, reading.Good - excluded.Good),
                Total = Math.Max(0, reading.Total - excluded.Total),
                Events = reading.Events < 0 || excluded.Events < 0 ? reading.Events : Math.Max(0, reading.Events - excluded.Events),
            };
        }

        return reading.Good > reading.Total ? reading with { Good = reading.Total } : reading;
    }
}
