using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class SealedBucketsTests
{
    [Fact]
    public void RandomHistogramsDecodeToExactlyTheBucketsAndCountsThatWereEncoded()
    {
        var random = new Random(5);
        for (int round = 0; round < 300; round++)
        {
            int scale = random.Next(-2, 9);
            var cells = new HistogramCells(scale);
            int values = random.Next(0, 2_000);
            double spread = random.NextDouble() * 20;
            for (int i = 0; i < values; i++)
            {
                cells.Add(random.Next(50) == 0 ? 0 : Math.Exp((random.NextDouble() - 0.5) * spread), random.Next(10) == 0 ? random.NextInt64(1, long.MaxValue >> 20) : 1);
            }

            // Merged data at coarser scales is kept at its own scale beside the recording scale.
            for (int i = random.Next(0, 4); i > 0; i--)
            {
                int coarser = Math.Max(ExponentialIndexer.MinScale, scale - random.Next(1, 4));
                var (min, max) = ExponentialIndexer.IndexRange(coarser);
                cells.AddBucket(coarser, random.Next(Math.Max(min, -200), Math.Min(max, 200)), random.Next(1, 1_000));
            }

            var expected = new Recorded();
            cells.CopyTo(expected);
            var decoded = new Recorded();
            SealedBuckets.CopyTo(SealedBuckets.Encode(cells), decoded);

            Assert.Equal(expected.Zero, decoded.Zero);
            Assert.Equal(expected.Sorted(), decoded.Sorted());
        }
    }

    [Fact]
    public void ASmoothLatencyDistributionTakesUnderOneBytePerOccupiedBucket()
    {
        var cells = new HistogramCells(5);
        var random = new Random(4);
        for (int i = 0; i < 100_000; i++)
        {
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            cells.Add(0.05 * Math.Exp(0.8 * normal), 1);
        }

        var buckets = new Recorded();
        cells.CopyTo(buckets);
        int bytes = SealedBuckets.Encode(cells).Length;

        Assert.InRange(bytes, buckets.Buckets.Count / 2, buckets.Buckets.Count);
    }

    [Fact]
    public void EmptyCellsEncodeToOneByteAndDecodeToNothing()
    {
        var bytes = SealedBuckets.Encode(new HistogramCells(5));
        var decoded = new Recorded();
        SealedBuckets.CopyTo(bytes, decoded);

        Assert.Single(bytes);
        Assert.Equal(0, decoded.Zero);
        Assert.Empty(decoded.Buckets);
    }

    private sealed class Recorded : IBucketSink
    {
        public long Zero { get; private set; }

        public List<(int Scale, int Index, long Count)> Buckets { get; } = [];

        public void AddZero(long count) => Zero += count;

        public void Add(int scale, int index, long count) => Buckets.Add((scale, index, count));

        public List<(int Scale, int Index, long Count)> Sorted() =>
            [.. Buckets.GroupBy(b => (b.Scale, b.Index)).Select(g => (g.Key.Scale, g.Key.Index, g.Sum(b => b.Count))).Where(b => b.Item3 != 0).OrderBy(b => b.Scale).ThenBy(b => b.Index)];
    }
}
