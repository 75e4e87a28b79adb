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
    /// <see cref="SliSeries.MergeFrom"/> does with a series read from them.
    /// </summary>
    public static void Walk(SliSeries target, ReadOnlySpan<byte> bytes, long? headMs)
    {
        var reader = new ByteReader(bytes);
        var (withHistogram, scale, retention, _) = ReadHeader(ref reader);
        var options = target.Options;
        if (withHistogram != options.WithHistogram || (retention ?? new SliSeriesOptions(withHistogram).EffectiveRetention) != options.EffectiveRetention
            || (withHistogram && scale != options.Scale))
        {
            throw new FormatException("the series' options (histogram, scale, retention) are not those of the series it merges into");
        }

        ReadSlices(ref reader, target, headMs is null ? Into.Check : Into.Add, headMs ?? 0);
    }

    /// <summary>The newest time a series' bytes hold (their header only; <see cref="Walk"/> checks the rest).</summary>
    public static long NewestOf(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        return ReadHeader(ref reader).Newest;
    }

    public static SliSeries Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        var (withHistogram, scale, retention, newest) = ReadHeader(ref reader);
        SliSeries series;
        try
        {
            series = new SliSeries(new SliSeriesOptions(withHistogram, scale, retention));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"snapshot options are invalid: {e.Message}", e);
        }

        series.RestoreHead(newest);
        ReadSlices(ref reader, series, Into.Restore, 0);
        series.Seal();
        return series;
    }

    /// <summary>The magic, the version, the options (retention null when not written) and the newest time.</summary>
    private static (bool WithHistogram, int Scale, TimeSpan? Retention, long Newest) ReadHeader(ref ByteReader reader)
    {
        reader.ExpectMagic("SLIS"u8, Version, "SLI series");
        byte flags = reader.ReadByte("flags");
        int scale = reader.ReadInt("scale");
        long retentionMs = reader.ReadCount("retention");
        if (retentionMs > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            throw new FormatException($"retention {retentionMs} ms is out of range");
        }

        TimeSpan? retention = (flags & RetentionFlag) != 0 ? TimeSpan.FromMilliseconds(retentionMs) : null;
        return ((flags & HistogramFlag) != 0, scale, retention, reader.ReadSigned("newest time"));
    }

    /// <summary>What <see cref="ReadSlices"/> does with each slice.</summary>
    private enum Into
    {
        /// <summary>Checks it only.</summary>
        Check,

        /// <summary>Adds it to the series' slice of the same time (as a merge does).</summary>
        Add,

        /// <summary>Places it in the series, which is new (as a restore does).</summary>
        Restore,
    }

    /// <summary>Every tier's slices after the header, into <paramref name="series"/>'s rings; then the end of the bytes.</summary>
    private static void ReadSlices(ref ByteReader reader, SliSeries series, Into into, long headMs)
    {
        int tiers = reader.ReadLength("counter tier count", series.CounterRings.Count);
        if (tiers != series.CounterRings.Count)
        {
            throw new FormatException($"snapshot has {tiers} counter tiers, options imply {series.CounterRings.Count}");
        }

        foreach (var ring in series.CounterRings)
        {
            // A restore's ring refuses a repeated slice itself; a check or a merge keeps count of the slots named.
            using var seen = new SlotSet(into == Into.Check ? ring.Tier.Slots : 0);
            int count = reader.ReadLength("slice count", ring.Tier.Slots);
            for (int i = 0; i < count; i++)
            {
                long slice = reader.ReadCount("slice");
                long good = reader.ReadCount("good");
                long total = reader.ReadCount("total");
                switch (into)
                {
                    case Into.Restore when good <= total && ring.Restore(slice, good, total):
                    case Into.Check when good <= total && slice <= CounterRing.MaxUnixMs / ring.Tier.SliceMs && seen.Add(slice % ring.Tier.Slots):
                        break;
                    case Into.Add:
                        ring.Add(slice * ring.Tier.SliceMs, headMs, good, total); // a slice no longer kept is left out, as in MergeFrom
                        break;
                    default:
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
                using var seen = new SlotSet(into == Into.Check ? ring.Tier.Slots : 0);
                int count = reader.ReadLength("slice count", ring.Tier.Slots);
                for (int i = 0; i < count; i++)
                {
                    long slice = reader.ReadCount("slice");
                    switch (into)
                    {
                        case Into.Restore:
                            reader.ReadCellsInto(ring.Restore(slice) ?? throw new FormatException($"histogram slice {slice} is repeated"));
                            break;
                        case Into.Check:
                            if (!seen.Add(slice % ring.Tier.Slots))
                            {
                                throw new FormatException($"histogram slice {slice} is repeated");
                            }

                            reader.ReadCellsInto(null);
                            break;
                        default:
                            using (var write = ring.Write(slice * ring.Tier.SliceMs, headMs))
                            {
                                reader.ReadCellsInto(write.Cells);
                            }

                            break;
                    }
                }
            }
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("snapshot has trailing bytes");
        }
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
}
