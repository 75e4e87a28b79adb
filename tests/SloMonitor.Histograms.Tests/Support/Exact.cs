namespace SloMonitor.Histograms.Tests.Support;

internal static class Exact
{
    /// <summary>Nearest-rank percentile: the value of rank ceil(q·n), at least 1, in sorted order.</summary>
    public static double NearestRank(double[] sorted, double q)
    {
        long rank = Math.Max(1, (long)Math.Ceiling(q * sorted.Length));
        return sorted[rank - 1];
    }

    public static double RelativeDistance(double estimate, double exact) => Math.Abs(estimate - exact) / exact;
}
