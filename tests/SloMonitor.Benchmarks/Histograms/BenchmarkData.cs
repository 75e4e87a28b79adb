namespace SloMonitor.Benchmarks.Histograms;

/// <summary>Seeded latency-like values shared by the histogram benchmarks.</summary>
internal static class BenchmarkData
{
    /// <summary>Log-normal latencies in seconds: median 50 ms, sigma 0.8 (1 ms .. 3 s in practice).</summary>
    public static double[] Latencies(int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1 - random.NextDouble();
            double u2 = random.NextDouble();
            double normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            values[i] = Math.Exp(Math.Log(0.05) + 0.8 * normal);
        }

        return values;
    }
}
