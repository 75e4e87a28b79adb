namespace SloMonitor.Histograms.Tests.Support;

/// <summary>Seeded value generators for the quantile property tests.</summary>
internal static class Distributions
{
    public static IEnumerable<object[]> Names() =>
        new[] { "uniform", "log-normal", "bimodal", "heavy-tailed", "bucket-edge", "latency-range" }.Select(n => new object[] { n });

    public static double[] Generate(string name, int count, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = name switch
            {
                "uniform" => 0.001 + random.NextDouble() * 2.0,
                "log-normal" => Math.Exp(Math.Log(0.05) + 0.8 * Normal(random)),
                "bimodal" => random.NextDouble() < 0.7
                    ? Math.Exp(Math.Log(0.01) + 0.2 * Normal(random))
                    : Math.Exp(Math.Log(1.5) + 0.3 * Normal(random)),
                "heavy-tailed" => 0.01 / Math.Pow(1 - random.NextDouble(), 1 / 1.2),
                "bucket-edge" => BucketEdge(random),
                "latency-range" => Math.Pow(10, -6 + random.NextDouble() * (Math.Log10(3600) + 6)),
                _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown distribution"),
            };
        }

        return values;
    }

    /// <summary>Values exactly on, one ulp below and one ulp above scale-5 bucket boundaries.</summary>
    private static double BucketEdge(Random random)
    {
        int index = random.Next(-200, 200);
        double boundary = Math.Pow(2, index / 32.0);
        return random.Next(3) switch
        {
            0 => boundary,
            1 => Math.BitDecrement(boundary),
            _ => Math.BitIncrement(boundary),
        };
    }

    private static double Normal(Random random)
    {
        double u1 = 1 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
