using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Serialization;

public sealed class SnapshotRoundTripTests
{
    private static readonly long Now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void ARestoredSeriesAnswersEveryWindowExactlyAsTheOriginal()
    {
        var original = new SliSeries(new SliSeriesOptions(WithHistogram: true, Scale: 6, Retention: TimeSpan.FromDays(31)));
        var random = new Random(21);
        for (int i = 0; i < 20_000; i++)
        {
            long time = Now - random.NextInt64(0, (long)TimeSpan.FromDays(31).TotalMilliseconds);
            double value = Math.Exp(random.NextDouble() * 12 - 8);
            original.RecordValue(time, value, value < 0.3);
        }

        original.MergeExponential(Now - 1_000, scale: 2, zeroCount: 3, positiveOffset: -4, [1, 2, 3]);
        var restored = SliSeries.FromBytes(original.ToBytes());

        Assert.Equal(original.Options, restored.Options);
        Assert.Equal(original.NewestUnixMs, restored.NewestUnixMs);
        SnapshotAssert.SameWindows(original, restored, Now);

        Assert.Equal(original.ToBytes(), restored.ToBytes());
    }

    [Fact]
    public void ASnapshotTakenWhileThreadsRecordIsAConsistentSeries()
    {
        var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        int running = 2;
        var writers = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            for (int i = 0; i < 200_000; i++)
            {
                double value = Math.Exp(random.NextDouble() * 6 - 5);
                series.RecordValue(Now + (i / 100), value, value < 0.1);
            }

            Interlocked.Decrement(ref running);
        })).ToList();
        writers.ForEach(w => w.Start());
        var snapshots = new List<byte[]>();
        while (Volatile.Read(ref running) > 0)
        {
            snapshots.Add(series.ToBytes());
        }

        writers.ForEach(w => w.Join());
        snapshots.Add(series.ToBytes());
        long previous = 0;
        foreach (var bytes in snapshots)
        {
            // A snapshot folds the write buffers first, so it holds at least every event recorded before it
            // started: each restores to a valid series, and no later snapshot has fewer events.
            var reading = SliSeries.FromBytes(bytes).Read(Now + 2_000, TimeSpan.FromMinutes(5));
            Assert.InRange(reading.Good, 0, reading.Total);
            Assert.True(reading.Total >= previous);
            previous = reading.Total;
        }

        Assert.Equal(400_000, previous);
        Assert.Equal(400_000, series.Read(Now + 2_000, TimeSpan.FromMinutes(5)).Histogram!.Count);
    }

    [Fact]
    public void ARestoredSeriesKeepsRecording()
    {
        var original = new SliSeries(new SliSeriesOptions());
        original.Record(Now, 3, 4);
        var restored = SliSeries.FromBytes(original.ToBytes());
        restored.Record(Now + 1_000, 1, 1);
        Assert.Equal(new WindowReading(4, 5, null), restored.Read(Now + 1_000, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void ASnapshotOfARatioSeriesIsCompact()
    {
        var series = new SliSeries(new SliSeriesOptions());
        for (int minute = 0; minute < 60; minute++)
        {
            series.Record(Now + minute * 60_000L, 99, 100);
        }

        Assert.InRange(series.ToBytes().Length, 1, 4_096);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'S', (byte)'L', (byte)'I', (byte)'X', 1 })]
    [InlineData(new byte[] { (byte)'S', (byte)'L', (byte)'I', (byte)'S', 9 })]
    [InlineData(new byte[] { (byte)'S', (byte)'L', (byte)'I', (byte)'S', 1, 0 })]
    public void MalformedBytesAreAFormatException(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => SliSeries.FromBytes(bytes));
    }

    [Fact]
    public void EveryTruncationOfAValidSnapshotIsAFormatException()
    {
        var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        series.RecordValue(Now, 0.25, true);
        series.RecordValue(Now - 3_600_000, 1.5, false);
        var bytes = series.ToBytes();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => SliSeries.FromBytes(bytes.AsSpan(0, length)));
        }

        var extended = bytes.Concat(new byte[] { 0 }).ToArray();
        Assert.Throws<FormatException>(() => SliSeries.FromBytes(extended));
    }

    [Fact]
    public void RandomGarbageIsAFormatExceptionAndNothingElse()
    {
        var random = new Random(5);
        var valid = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        valid.RecordValue(Now, 0.25, true);
        var bytes = valid.ToBytes();
        for (int i = 0; i < 2_000; i++)
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[random.Next(5, corrupted.Length)] = (byte)random.Next(256);
            try
            {
                SliSeries.FromBytes(corrupted);
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void CorruptedBytesAreRefusedForAnInPlaceMergeExactlyWhenReadingThemFailsAndMergeAlikeOtherwise()
    {
        var random = new Random(9);
        var options = new SliSeriesOptions(WithHistogram: true);
        var valid = new SliSeries(options);
        valid.RecordValue(Now, 0.25, true);
        valid.RecordValue(Now - 3_600_000, 1.5, false);
        var bytes = valid.ToBytes();
        var accepted = 0;
        for (int i = 0; i < 2_000; i++)
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[random.Next(5, corrupted.Length)] = (byte)random.Next(256);
            SliSeries? read = null;
            try
            {
                read = SliSeries.FromBytes(corrupted);
            }
            catch (FormatException)
            {
            }

            var inPlace = new SliSeries(options);
            // MergeFrom takes a series of the same histogram, scale and retention (written or implied).
            if (read is null || read.Options.WithHistogram != options.WithHistogram || read.Options.Scale != options.Scale || read.Options.EffectiveRetention != options.EffectiveRetention)
            {
                Assert.Throws<FormatException>(() => inPlace.CheckMergeable(corrupted));
                continue;
            }

            inPlace.CheckMergeable(corrupted);
            inPlace.MergeBytes(corrupted);
            var byReading = new SliSeries(options);
            byReading.MergeFrom(read);
            Assert.Equal(byReading.ToBytes(), inPlace.ToBytes());
            accepted++;
        }

        Assert.InRange(accepted, 1, 1_999);
    }
}
