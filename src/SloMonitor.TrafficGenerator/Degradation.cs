namespace SloMonitor.TrafficGenerator;

/// <summary>How sick the degrading service is, 0 (healthy) to 1 (worst), along a repeating cycle.</summary>
internal static class Degradation
{
    /// <summary>Healthy for the first fifth of each cycle, then worse and worse until its last fifth, which recovers.</summary>
    public static double At(TimeSpan elapsed, TimeSpan cycle)
    {
        var phase = elapsed.TotalSeconds % cycle.TotalSeconds / cycle.TotalSeconds;
        return phase switch
        {
            < 0.2 => 0,
            < 0.8 => (phase - 0.2) / 0.6,
            _ => 0,
        };
    }
}
