namespace SloMonitor.Histograms.Windows;

/// <summary>
/// One ring of time slices: <see cref="Slots"/> slices of <see cref="SliceMs"/> each. It answers any window up to
/// <see cref="SpanMs"/> = (Slots - 1) · SliceMs (one slot is the slice in progress).
/// </summary>
internal readonly record struct SliceTier(long SliceMs, int Slots)
{
    public long SpanMs => (Slots - 1) * SliceMs;

    /// <summary>
    /// Ratio tiers: each tier spans 60 slices of the next coarser tier, so any window of 5 minutes or more is read
    /// from slices no longer than 1/60 of it.
    /// </summary>
    public static SliceTier[] ForCounters(long retentionMs) => Build(retentionMs,
    [
        new(5_000, 241),
        new(20_000, 181),
        new(60_000, 301),
        new(300_000, 181),
        new(900_000, 241),
        new(3_600_000, 0),
    ]);

    /// <summary>
    /// Histogram tiers, coarser to bound memory: the listed windows 5m, 30m, 1h, 2h, 6h, 1d, 3d, 7d, 28d, 30d are read
    /// from slices no longer than 1/10 of the window.
    /// </summary>
    public static SliceTier[] ForHistograms(long retentionMs) => Build(retentionMs,
    [
        new(30_000, 13),
        new(180_000, 21),
        new(720_000, 31),
        new(7_200_000, 37),
        new(43_200_000, 0),
    ]);

    /// <summary>Keeps the tiers needed for the retention; the last one grows to cover it.</summary>
    private static SliceTier[] Build(long retentionMs, SliceTier[] ladder)
    {
        var tiers = new List<SliceTier>();
        foreach (var tier in ladder)
        {
            bool last = tier.Slots == 0 || tier.SpanMs >= retentionMs;
            if (last)
            {
                long slots = (retentionMs + tier.SliceMs - 1) / tier.SliceMs + 1;
                tiers.Add(tier with { Slots = (int)Math.Max(2, slots) });
                break;
            }

            tiers.Add(tier);
        }

        return [.. tiers];
    }

    /// <summary>The finest tier that spans <paramref name="windowMs"/>, or the coarsest.</summary>
    public static int Choose(SliceTier[] tiers, long windowMs)
    {
        for (int i = 0; i < tiers.Length; i++)
        {
            if (tiers[i].SpanMs >= windowMs)
            {
                return i;
            }
        }

        return tiers.Length - 1;
    }

    /// <summary>The finest tier that still holds slices from <paramref name="fromMs"/> given the newest time seen.</summary>
    public static int ChooseFrom(SliceTier[] tiers, long fromMs, long headMs)
    {
        for (int i = 0; i < tiers.Length; i++)
        {
            long oldestKept = (headMs / tiers[i].SliceMs - tiers[i].Slots + 1) * tiers[i].SliceMs;
            if (oldestKept <= fromMs)
            {
                return i;
            }
        }

        return tiers.Length - 1;
    }
}
