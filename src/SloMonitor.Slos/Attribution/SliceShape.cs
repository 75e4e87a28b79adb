namespace SloMonitor.Slos.Attribution;

/// <summary>What every slice of one SLO keeps, shared by its slices rather than stored in each.</summary>
internal sealed record SliceShape(int Keys, int ValuesPerKey, int Exemplars, bool KeepSlowest, int SketchWidth, int SketchDepth)
{
    /// <summary>Exemplar places of a slice: the recent ones, then (latency SLIs) as many of the slowest.</summary>
    public int ExemplarSlots => KeepSlowest ? 2 * Exemplars : Exemplars;
}
