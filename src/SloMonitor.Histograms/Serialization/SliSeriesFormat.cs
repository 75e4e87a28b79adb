using System.Buffers;
using SloMonitor.Histograms.Windows;

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

    /// <summary>
    /// Reads <paramref name="bytes"/> as a series of <paramref name="target"/>'s options without building it: with
    /// <paramref name="headMs"/> null it only checks them whole (the same checks as <see cref="Read"/>, changing
    /// nothing); otherwise it adds every slice into <paramref name="target"/>'s tiers, as
    /// <see cref="SliSeries.MergeFrom"/> does with a series read from them. Returns the newest time the bytes hold.
    /// </summary>
    public static long Walk(SliSeries target, ReadOnlySpan<byte> bytes, long? headMs)
    {
        var reader = new ByteReader(bytes);
        reader.ExpectMagic("SLIS"u8, Version, "SLI series");
        byte flags = reader.ReadByte("flags");
        int scale = reader.ReadInt("scale");
        long retentionMs = reader.ReadCount("retention");
        var options = target.Options;
        bool withHistogram = (flags & HistogramFlag) != 0;
        if (retentionMs > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            throw new FormatException($"retention {retentionMs} ms is out of range");
        }

        var retention = (flags & RetentionFlag) != 0 ? TimeSpan.FromMilliseconds(retentionMs) : new SliSeriesOptions(withHistogram).EffectiveRetention;
        if (withHistogram != options.WithHistogram || retention != options.EffectiveRetention || (withHistogram && scale != options.Scale))
        {
            throw new FormatException("the series' options (histogram, scale, retention) are not those of the series it merges into");
        }

        long newest = reader.ReadSigned("newest time");
        int tiers = reader.ReadLength("counter tier count", target.CounterRings.Count);
        if (tiers != target.CounterRings.Count)
        {
            throw new FormatException($"snapshot has {tiers} counter tiers, options imply {target.CounterRings.Count}");
        }

        foreach (var ring in target.CounterRings)
        {
            using var seen = new SlotSet(headMs is null ? ring.Tier.Slots : 0);
            int count = reader.ReadLength("slice count", ring.Tier.Slots);
            for (int i = 0; i < count; i++)
            {
                long slice = reader.ReadCount("slice");
                long good = reader.ReadCount("good");
                long total = reader.ReadCount("total");
                if (good > total || slice > CounterRing.MaxUnixMs / ring.Tier.SliceMs || !seen.Add(slice % ring.Tier.Slots))
                {
                    throw new FormatException($"counter slice {slice} is invalid or repeated");
                }

                if (headMs is { } head)
                {
                    ring.Add(slice * ring.Tier.SliceMs, head, good, total);
                }
            }
        }

        if (target.HistogramRings is { } histograms)
        {
            int histogramTiers = reader.ReadLength("histogram tier count", histograms.Count);
            if (histogramTiers != histograms.Count)
            {
                throw new FormatException($"snapshot has {histogramTiers} histogram tiers, options imply {histograms.Count}");
            }

            foreach (var ring in histograms)
            {
                using var seen = new SlotSet(headMs is null ? ring.Tier.Slots : 0);
                int count = reader.ReadLength("slice count", ring.Tier.Slots);
                for (int i = 0; i < count; i++)
                {
                    long slice = reader.ReadCount("slice");
                    if (!seen.Add(slice % ring.Tier.Slots))
                    {
                        throw new FormatException($"histogram slice {slice} is repeated");
                    }

                    if (headMs is { } head)
                    {
                        using var write = ring.Write(slice * ring.Tier.SliceMs, head);
                        reader.ReadCellsInto(write.Cells);
                    }
                    else
                    {
                        reader.ReadCellsInto(null);
                    }
                }
            }
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("snapshot has trailing bytes");
        }

        return newest;
    }

    /// <summary>The newest time a series' bytes hold (their header only; <see cref="Walk"/> checks the rest).</summary>
    public static long NewestOf(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        reader.ExpectMagic("SLIS"u8, Version, "SLI series");
        reader.ReadByte("flags");
        reader.ReadInt("scale");
        reader.ReadCount("retention");
        return reader.ReadSigned("newest time");
    }

    /// <summary>Which slots of a tier a snapshot named (a repeated one is malformed); a pooled bit set, empty when not checking.</summary>
    private ref struct SlotSet
    {
        private readonly ulong[]? _bits;

        public SlotSet(int slots)
        {
            if (slots > 0)
            {
                _bits = ArrayPool<ulong>.Shared.Rent((slots + 63) / 64);
                Array.Clear(_bits);
            }
        }

        /// <summary>False when <paramref name="slot"/> was named before.</summary>
        public bool Add(long slot)
        {
            if (_bits is null)
            {
                return true;
            }

            ref var word = ref _bits[slot >> 6];
            var bit = 1UL << (int)(slot & 63);
            if ((word & bit) != 0)
            {
                return false;
            }

            word |= bit;
            return true;
        }

        public readonly void Dispose()
        {
            if (_bits is not null)
            {
                ArrayPool<ulong>.Shared.Return(_bits);
            }
        }
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
