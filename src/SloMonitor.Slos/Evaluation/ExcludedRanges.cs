using SloMonitor.Slos.Recording;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// A time range [<see cref="FromMs"/>, <see cref="ToMs"/>) taken out of an SLO's readings (a budget adjustment): all
/// its events, or with <see cref="Selector"/> only those of the groups whose <c>groupBy</c> values match it.
/// </summary>
public readonly record struct ExcludedRange(long FromMs, long ToMs)
{
    public string? Selector { get; init; }
}

/// <summary>A selector adjustment as readings use it: the range and the compiled matchers over group labels.</summary>
internal sealed record SelectorRange(ExcludedRange Range, LabelMatcher[] Matchers)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var matcher in Matchers)
        {
            if (!matcher.Matches(labels.GetValueOrDefault(matcher.Name, "")))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Budget adjustments as readings see them: the ranges of an SLO, sorted and merged, subtracted from every window
/// read. What is subtracted is what the track holds for the part of each range inside the time the window's reading
/// counted (the edges of the slices it took), read as windows are read (the slices that start in it, from the finest
/// tier that keeps them), so events in slices wholly inside a range are removed exactly and a slice that straddles an
/// edge counts as the side its start is on.
/// </summary>
internal static class ExcludedRanges
{
    /// <summary>
    /// <paramref name="reading"/> of <paramref name="track"/> (the SLO's overall track or one of its groups) over
    /// [from, to), less every adjustment of the SLO: the whole ranges, and the selector ranges of the groups they
    /// match (a group's own reading loses them like whole ranges; the overall one loses what those groups hold in
    /// them, outside the whole ranges so that nothing comes out twice).
    /// </summary>
    public static TrackReading Apply(CompiledSlo slo, SliTrack track, TrackReading reading, long fromMs, long toMs)
    {
        var selective = slo.SelectorExcluded;
        if (selective.Length == 0)
        {
            return Apply(track, reading, fromMs, toMs, slo.Excluded);
        }

        var overall = ReferenceEquals(track, slo.Tracks.Overall);
        var (countedFrom, countedTo) = overall ? track.CountedBounds(fromMs, toMs) : (fromMs, toMs);
        foreach (var group in slo.Tracks.Groups)
        {
            if (overall)
            {
                var ranges = Minus(Normalize(Matching(selective, group.Labels)), slo.Excluded);
                if (ranges.Length > 0)
                {
                    reading = Subtract(group.Track, reading, countedFrom, countedTo, ranges);
                }
            }
            else if (ReferenceEquals(group.Track, track))
            {
                return Apply(track, reading, fromMs, toMs, Normalize([.. slo.Excluded, .. Matching(selective, group.Labels)]));
            }
        }

        return overall ? Apply(track, reading, fromMs, toMs, slo.Excluded) : reading;
    }

    /// <summary>Compiles the selector ranges; the rest, the whole ranges, come back merged.</summary>
    public static (ExcludedRange[] Whole, SelectorRange[] Selective) Split(IEnumerable<ExcludedRange> ranges)
    {
        var whole = new List<ExcludedRange>();
        var selective = new List<SelectorRange>();
        foreach (var range in ranges)
        {
            if (range.Selector is null)
            {
                whole.Add(range);
            }
            else if (range.ToMs > range.FromMs && SelectorParser.TryParse(range.Selector, false, out _) is { } selector)
            {
                selective.Add(new SelectorRange(range, selector.Matchers));
            }
        }

        return (Normalize(whole), [.. selective]);
    }

    private static IEnumerable<ExcludedRange> Matching(SelectorRange[] ranges, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var range in ranges)
        {
            if (range.Matches(labels))
            {
                yield return range.Range with { Selector = null };
            }
        }
    }

    /// <summary>The parts of the (merged) <paramref name="ranges"/> outside every one of the (merged) <paramref name="cut"/>.</summary>
    private static ExcludedRange[] Minus(ExcludedRange[] ranges, ExcludedRange[] cut)
    {
        if (cut.Length == 0 || ranges.Length == 0)
        {
            return ranges;
        }

        var rest = new List<ExcludedRange>();
        foreach (var range in ranges)
        {
            var from = range.FromMs;
            foreach (var c in cut)
            {
                if (c.ToMs <= from || c.FromMs >= range.ToMs)
                {
                    continue;
                }

                if (c.FromMs > from)
                {
                    rest.Add(new ExcludedRange(from, c.FromMs));
                }

                from = Math.Max(from, c.ToMs);
            }

            if (from < range.ToMs)
            {
                rest.Add(new ExcludedRange(from, range.ToMs));
            }
        }

        return [.. rest];
    }

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
        return Subtract(track, reading, countedFrom, countedTo, ranges);
    }

    /// <summary><paramref name="reading"/> less what <paramref name="source"/> holds in the ranges within [countedFrom, countedTo).</summary>
    private static TrackReading Subtract(SliTrack source, TrackReading reading, long countedFrom, long countedTo, ExcludedRange[] ranges)
    {
        foreach (var range in ranges)
        {
            var from = Math.Max(countedFrom, range.FromMs);
            var to = Math.Min(countedTo, range.ToMs);
            if (to <= from)
            {
                continue;
            }

            var excluded = source.Read(from, to, withLatency: false);
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
