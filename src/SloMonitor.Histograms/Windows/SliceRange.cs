namespace SloMonitor.Histograms.Windows;

/// <summary>Slice numbers First..Last of one tier (empty when First &gt; Last).</summary>
internal readonly record struct SliceRange(long First, long Last)
{
    /// <summary>
    /// The slices of first..last that a tier still keeps: no more than its slot count back from last, and none that
    /// a newer slice has already taken over given the newest time seen (<paramref name="headMs"/>).
    /// </summary>
    public static SliceRange Kept(SliceTier tier, long first, long last, long headMs) =>
        new(Math.Max(first, Math.Max(last, headMs / tier.SliceMs) - tier.Slots + 1), last);

    public bool Holds(long slice) => slice >= First && slice <= Last;
}
