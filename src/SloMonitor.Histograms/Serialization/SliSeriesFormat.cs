namespace SloMonitor.Histograms.Serialization;

/// <summary>
/// Binary form of a <see cref="SliSeries"/>: "SLIS", version, options, newest time, then for each tier the kept
/// slices (slice number, good, total) and, with a histogram, each kept slice's buckets. Integers are varints.
/// </summary>
internal static class SliSeriesFormat
{
    private const byte Version = 1;
    private const byte HistogramFlag = 1;
    private const byte RetentionFlag = 2;

    public static byte[] Write(SliSeries series)
    {
        var writer = new ByteWriter();
        writer.WriteBytes("SLIS"u8);
        writer.WriteBytes([Version]);
        var options = series.Options;
        writer.WriteBytes([(byte)((options.WithHistogram ? HistogramFlag : 0) | (options.Retention is null ? 0 : RetentionFlag))]);
        writer.WriteSigned(options.Scale);
        writer.WriteCount((long)options.EffectiveRetention.TotalMilliseconds);
        writer.WriteSigned(series.NewestUnixMs);
        writer.WriteCount(series.CounterRings.Count);
        foreach (var ring in series.CounterRings)
        {
            var slices = ring.Slices().ToList();
            writer.WriteCount(slices.Count);
            foreach (var (slice, good, total) in slices)
            {
                writer.WriteCount(slice);
                writer.WriteCount(good);
                writer.WriteCount(total);
            }
        }

        if (series.HistogramRings is { } histograms)
        {
            writer.WriteCount(histograms.Count);
            foreach (var ring in histograms)
            {
                var slices = ring.Slices().ToList();
                writer.WriteCount(slices.Count);
                foreach (var slice in slices)
                {
                    writer.WriteCount(slice.Number);
                    writer.WriteSlice(slice);
                }
            }
        }

        return writer.ToArray();
    }

    public static SliSeries Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        reader.ExpectMagic("SLIS"u8, Version, "SLI series");
        byte flags = reader.ReadByte("flags");
        int scale = reader.ReadInt("scale");
        long retentionMs = reader.ReadCount("retention");
        var options = new SliSeriesOptions(
            (flags & HistogramFlag) != 0,
            scale,
            (flags & RetentionFlag) != 0 ? TimeSpan.FromMilliseconds(retentionMs) : null);
        SliSeries series;
        try
        {
            series = new SliSeries(options);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"snapshot options are invalid: {e.Message}", e);
        }

        long head = reader.ReadSigned("newest time");
        series.RestoreHead(head);
        int tiers = reader.ReadLength("counter tier count", series.CounterRings.Count);
        if (tiers != series.CounterRings.Count)
        {
            throw new FormatException($"snapshot has {tiers} counter tiers, options imply {series.CounterRings.Count}");
        }

        foreach (var ring in series.CounterRings)
        {
            int count = reader.ReadLength("slice count", ring.Tier.Slots);
            for (int i = 0; i < count; i++)
            {
                long slice = reader.ReadCount("slice");
                long good = reader.ReadCount("good");
                long total = reader.ReadCount("total");
                if (good > total || !ring.Restore(slice, good, total))
                {
                    throw new FormatException($"counter slice {slice} is invalid or repeated");
                }
            }
        }

        if (series.HistogramRings is { } histograms)
        {
            int histogramTiers = reader.ReadLength("histogram tier count", histograms.Count);
            if (histogramTiers != histograms.Count)
            {
                throw new FormatException($"snapshot has {histogramTiers} histogram tiers, options imply {histograms.Count}");
            }

            foreach (var ring in histograms)
            {
                int count = reader.ReadLength("slice count", ring.Tier.Slots);
                for (int i = 0; i < count; i++)
                {
                    long slice = reader.ReadCount("slice");
                    var cells = ring.Restore(slice) ?? throw new FormatException($"histogram slice {slice} is repeated");
                    reader.ReadCellsInto(cells);
                }
            }
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("snapshot has trailing bytes");
        }

        series.Seal();
        return series;
    }
}
