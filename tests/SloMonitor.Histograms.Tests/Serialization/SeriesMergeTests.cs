using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Serialization;

/// <summary>A checkpoint merged into a series that went on recording: the result is the series that saw every event.</summary>
public sealed class SeriesMergeTests
{
    private static readonly long Now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void ACheckpointMergedIntoARecordingSeriesReadsEveryWindowAsOneSeriesThatSawBothSetsOfEvents()
    {
        var options = new SliSeriesOptions(WithHistogram: true, Scale: 5, Retention: TimeSpan.FromDays(31));
        var together = new SliSeries(options);
        var earlier = new SliSeries(options);
        var later = new SliSeries(options);
        var random = new Random(7);

        // The earlier process saw 31 days up to a minute ago; the later one the last hour, so the two share slices.
        for (int i = 0; i < 20_000; i++)
        {
            var first = i % 3 != 0;
            long time = first
                ? Now - 60_000 - random.NextInt64(0, (long)TimeSpan.FromDays(31).TotalMilliseconds)
                : Now - random.NextInt64(0, 3_600_000);
            double value = Math.Exp((random.NextDouble() * 10) - 7);
            (first ? earlier : later).RecordValue(time, value, value < 0.3);
            together.RecordValue(time, value, value < 0.3);
        }

        later.MergeFrom(SliSeries.FromBytes(earlier.ToBytes()));

        Assert.Equal(together.NewestUnixMs, later.NewestUnixMs);
        SnapshotAssert.SameWindows(together, later, Now);

        long from = Now - (long)TimeSpan.FromDays(20).TotalMilliseconds;
        Assert.Equal((together.Read(from, Now).Good, together.Read(from, Now).Total), (later.Read(from, Now).Good, later.Read(from, Now).Total));
    }

    [Fact]
    public void AMergedRatioSeriesKeepsRecordingAndCountsTheSavedEventsInTheWindowsThatReachThem()
    {
        var options = new SliSeriesOptions(Retention: TimeSpan.FromHours(1));
        var saved = new SliSeries(options);
        saved.Record(Now - (long)TimeSpan.FromMinutes(30).TotalMilliseconds, 8, 10);
        var later = new SliSeries(options);
        later.Record(Now + (long)TimeSpan.FromMinutes(15).TotalMilliseconds, 1, 1);

        later.MergeFrom(SliSeries.FromBytes(saved.ToBytes()));
        later.Record(Now + (long)TimeSpan.FromMinutes(16).TotalMilliseconds, 0, 1);

        var now = Now + (long)TimeSpan.FromMinutes(16).TotalMilliseconds;
        var recent = later.Read(now, TimeSpan.FromMinutes(5));
        Assert.Equal((1L, 2L), (recent.Good, recent.Total));
        var hour = later.Read(now, TimeSpan.FromHours(1));
        Assert.Equal((9L, 12L), (hour.Good, hour.Total));
    }

    [Fact]
    public void BytesMergedInPlaceGiveTheSeriesThatMergingTheSeriesReadFromThemGives()
    {
        var options = new SliSeriesOptions(WithHistogram: true, Scale: 5, Retention: TimeSpan.FromDays(31));
        var random = new Random(11);
        var earlier = new SliSeries(options);
        var byReading = new SliSeries(options);
        var inPlace = new SliSeries(options);
        for (int i = 0; i < 20_000; i++)
        {
            long time = i % 3 != 0
                ? Now - 60_000 - random.NextInt64(0, (long)TimeSpan.FromDays(31).TotalMilliseconds)
                : Now - random.NextInt64(0, 3_600_000);
            double value = Math.Exp((random.NextDouble() * 10) - 7);
            foreach (var series in i % 3 != 0 ? [earlier] : new[] { byReading, inPlace })
            {
                series.RecordValue(time, value, value < 0.3);
            }
        }

        var bytes = earlier.ToBytes();
        byReading.MergeFrom(SliSeries.FromBytes(bytes));
        inPlace.CheckMergeable(bytes);
        inPlace.MergeBytes(bytes);

        Assert.Equal(byReading.ToBytes(), inPlace.ToBytes());
        Assert.Equal(byReading.NewestUnixMs, inPlace.NewestUnixMs);
        SnapshotAssert.SameWindows(byReading, inPlace, Now);
    }

    [Fact]
    public void BytesThatDoNotFitAreRefusedBeforeAnythingMerges()
    {
        var options = new SliSeriesOptions(Retention: TimeSpan.FromHours(1));
        var saved = new SliSeries(options);
        saved.Record(Now - 60_000, 8, 10);
        saved.Record(Now - 120_000, 1, 2);
        var bytes = saved.ToBytes();
        var target = new SliSeries(options);

        Assert.Throws<FormatException>(() => new SliSeries(new SliSeriesOptions(Retention: TimeSpan.FromHours(2))).CheckMergeable(bytes));
        Assert.Throws<FormatException>(() => new SliSeries(new SliSeriesOptions(WithHistogram: true, Retention: TimeSpan.FromHours(1))).CheckMergeable(bytes));
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Throws<FormatException>(() => target.CheckMergeable(bytes.AsSpan(0, cut)));
        }

        Assert.Throws<FormatException>(() => target.CheckMergeable([.. bytes, 0]));
        Assert.Equal(0, target.Read(Now, TimeSpan.FromHours(1)).Total);
    }

    [Fact]
    public void ASeriesOfOtherOptionsIsRefused()
    {
        var ratio = new SliSeries(new SliSeriesOptions(Retention: TimeSpan.FromHours(1)));

        Assert.Throws<ArgumentException>(() => ratio.MergeFrom(new SliSeries(new SliSeriesOptions(Retention: TimeSpan.FromHours(2)))));
        Assert.Throws<ArgumentException>(() => ratio.MergeFrom(new SliSeries(new SliSeriesOptions(WithHistogram: true, Retention: TimeSpan.FromHours(1)))));
    }

    [Fact]
    public void AMergedGaugeCountsTheSlicesOfBothAndAddsTheSamplesOfASliceBothSaw()
    {
        var saved = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(2));
        var later = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(2));
        for (int minute = 0; minute < 30; minute++)
        {
            saved.Record(Now + (minute * 60_000L), minute < 10 ? 9 : 1); // 10 breaching minutes, then 20 fine ones
        }

        later.Record(Now + (29 * 60_000L) + 30_000, 21); // the last minute of the earlier process: its average is 11
        later.Record(Now + (30 * 60_000L), 2);
        later.Record(Now + (31 * 60_000L), 2);

        later.MergeFrom(GaugeSeries.FromBytes(saved.ToBytes()));

        var now = Now + (32 * 60_000L);
        Assert.Equal((21L, 32L), later.CountSlices(now, TimeSpan.FromHours(1), threshold: 5, GaugeAggregation.Avg));
        Assert.Equal((21L, 32L), later.CountSlices(now, TimeSpan.FromHours(1), threshold: 5, GaugeAggregation.Max));
        Assert.Throws<ArgumentException>(() => later.MergeFrom(new GaugeSeries(TimeSpan.FromMinutes(5), TimeSpan.FromHours(2))));
    }
}
