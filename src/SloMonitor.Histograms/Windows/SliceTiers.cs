using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// The rings of one series: exact counters in every counter tier and, for a latency series, histograms in every
/// histogram tier. An add goes into every tier that still keeps its slice. A reading takes the tier that fits the
/// window and adds what the write stripes still hold in their buffers.
/// </summary>
internal sealed class SliceTiers
{
    private readonly SliceTier[] _counterTiers;
    private readonly SliceTier[] _histogramTiers = [];
    private readonly int _scale;

    public SliceTiers(long retentionMs, int? histogramScale, ChangeSequence changes)
    {
        _counterTiers = SliceTier.ForCounters(retentionMs);
        Counters = [.. _counterTiers.Select(tier => new CounterRing(tier, changes))];
        if (histogramScale is int scale)
        {
            _scale = scale;
            _histogramTiers = SliceTier.ForHistograms(retentionMs);
            Histograms = [.. _histogramTiers.Select(tier => new HistogramRing(tier, scale))];
        }
    }

    public CounterRing[] Counters { get; }

    public HistogramRing[]? Histograms { get; }

    public void AddCounts(long unixTimeMs, long headMs, long good, long total)
    {
        foreach (var ring in Counters)
        {
            ring.Add(unixTimeMs, headMs, good, total);
        }
    }

    public void AddValue(long unixTimeMs, long headMs, double value)
    {
        foreach (var ring in Histograms ?? [])
        {
            using var write = ring.Write(unixTimeMs, headMs);
            write.Cells?.Add(value, 1);
        }
    }

    /// <summary>Empties every ring; only while nothing writes or reads (see <see cref="SliSeries.Clear"/>).</summary>
    public void Clear()
    {
        foreach (var ring in Counters)
        {
            ring.Clear();
        }

        foreach (var ring in Histograms ?? [])
        {
            ring.Clear();
        }
    }

    /// <summary>Adds every slice of <paramref name="other"/> (tiers of the same retention and scale) into the same tier here.</summary>
    public void MergeFrom(SliceTiers other, long headMs)
    {
        for (int i = 0; i < Counters.Length; i++)
        {
            var ring = Counters[i];
            foreach (var (slice, good, total) in other.Counters[i].Slices())
            {
                ring.Add(slice * ring.Tier.SliceMs, headMs, good, total);
            }
        }

        for (int i = 0; i < (Histograms?.Length ?? 0); i++)
        {
            var ring = Histograms![i];
            foreach (var slice in other.Histograms![i].Slices())
            {
                using var write = ring.Write(slice.Number * ring.Tier.SliceMs, headMs);
                if (write.Cells is { } target)
                {
                    slice.CopyTo(target);
                }
            }
        }
    }

    /// <summary>Adds a retired buffer into every tier that still keeps its slices.</summary>
    public void Fold(PeriodBuffer buffer, long headMs)
    {
        for (int i = 0; i < PeriodBuffer.Slices; i++)
        {
            var (good, total) = buffer.Read(i);
            if (total != 0)
            {
                AddCounts(buffer.StartMs + (i * PeriodBuffer.SliceMs), headMs, good, total);
            }
        }

        if (buffer.Cells is not { } cells)
        {
            return;
        }

        foreach (var ring in Histograms ?? [])
        {
            using var write = ring.Write(buffer.StartMs, headMs);
            if (write.Cells is { } target)
            {
                cells.CopyTo(target);
            }
        }
    }

    /// <summary>The slices that start in [now - window, now], from the finest tier that spans the window.</summary>
    public WindowReading ReadRolling(long nowUnixMs, long windowMs, long headMs, WriteStripe?[] stripes)
    {
        long fromMs = Math.Max(0, nowUnixMs - windowMs);
        var counters = Counters[SliceTier.Choose(_counterTiers, windowMs)];
        var histograms = Histograms?[SliceTier.Choose(_histogramTiers, windowMs)];
        return ReadSlices(
            counters,
            SliceRange.Kept(counters.Tier, CeilDiv(fromMs, counters.Tier.SliceMs), nowUnixMs / counters.Tier.SliceMs, headMs),
            histograms,
            histograms is null ? default : SliceRange.Kept(histograms.Tier, CeilDiv(fromMs, histograms.Tier.SliceMs), nowUnixMs / histograms.Tier.SliceMs, headMs),
            stripes);
    }

    /// <summary>The slices that start in [from, to), from the finest tier that still keeps <paramref name="fromUnixMs"/>.</summary>
    public WindowReading ReadCalendar(long fromUnixMs, long toUnixMs, long headMs, WriteStripe?[] stripes)
    {
        long head = Math.Max(headMs, 0);
        var counters = Counters[SliceTier.ChooseFrom(_counterTiers, fromUnixMs, head)];
        var histograms = Histograms?[SliceTier.ChooseFrom(_histogramTiers, fromUnixMs, head)];
        return ReadSlices(
            counters,
            SliceRange.Kept(counters.Tier, CeilDiv(fromUnixMs, counters.Tier.SliceMs), CeilDiv(toUnixMs, counters.Tier.SliceMs) - 1, head),
            histograms,
            histograms is null ? default : SliceRange.Kept(histograms.Tier, CeilDiv(fromUnixMs, histograms.Tier.SliceMs), CeilDiv(toUnixMs, histograms.Tier.SliceMs) - 1, head),
            stripes);
    }

    /// <summary>
    /// Where the events a <see cref="ReadCalendar"/> of [from, to) counts begin and end: the edges of the counter
    /// slices it takes (the first one starting at or after from, the last one starting before to).
    /// </summary>
    public (long FromMs, long ToMs) CalendarBounds(long fromUnixMs, long toUnixMs, long headMs)
    {
        var slice = _counterTiers[SliceTier.ChooseFrom(_counterTiers, fromUnixMs, Math.Max(headMs, 0))].SliceMs;
        return (CeilDiv(fromUnixMs, slice) * slice, CeilDiv(toUnixMs, slice) * slice);
    }

    /// <summary>Seals every histogram slice that ends at or before <paramref name="endMs"/> (see <see cref="HistogramSlice"/>).</summary>
    public bool SealEndingBy(long endMs)
    {
        bool all = true;
        foreach (var ring in Histograms ?? [])
        {
            all &= ring.SealEndingBy(endMs);
        }

        return all;
    }

    /// <summary>True when a histogram slice was created since the last <see cref="SealEndingBy"/>.</summary>
    public bool CreatedSlices()
    {
        foreach (var ring in Histograms ?? [])
        {
            if (ring.CreatedSlices)
            {
                return true;
            }
        }

        return false;
    }

    public long EstimateBytes()
    {
        long bytes = 0;
        foreach (var ring in Counters)
        {
            bytes += 24 + ring.EstimateBytes();
        }

        foreach (var ring in Histograms ?? [])
        {
            bytes += 48 + ring.EstimateBytes();
        }

        return bytes;
    }

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;

    private WindowReading ReadSlices(CounterRing counters, SliceRange counterRange, HistogramRing? histograms, SliceRange histogramRange, WriteStripe?[] stripes)
    {
        var (good, total) = counters.Sum(counterRange.First, counterRange.Last);
        var accumulator = histograms is null ? null : new SnapshotAccumulator(_scale);
        histograms?.CopyTo(histogramRange.First, histogramRange.Last, accumulator!);
        foreach (var stripe in stripes)
        {
            var current = stripe?.Current;
            var retired = stripe?.Retired;
            AddBuffer(current);
            if (retired != current)
            {
                AddBuffer(retired);
            }
        }

        return new WindowReading(good, total, accumulator?.ToSnapshot());

        void AddBuffer(PeriodBuffer? buffer)
        {
            if (buffer is null)
            {
                return;
            }

            for (int i = 0; i < PeriodBuffer.Slices; i++)
            {
                if (counterRange.Holds((buffer.StartMs + (i * PeriodBuffer.SliceMs)) / counters.Tier.SliceMs))
                {
                    var (bufferGood, bufferTotal) = buffer.Read(i);
                    good += bufferGood;
                    total += bufferTotal;
                }
            }

            if (accumulator is not null && buffer.Cells is { } cells && histogramRange.Holds(buffer.StartMs / histograms!.Tier.SliceMs))
            {
                cells.CopyTo(accumulator);
            }
        }
    }
}
