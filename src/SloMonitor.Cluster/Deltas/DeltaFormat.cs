using System.Text;

namespace SloMonitor.Cluster.Deltas;

/// <summary>
/// The bytes of one SLO's delta: "SLOD", a version, the row count, then each row's series key (UTF-8) and its track
/// state in the checkpoint format, each length-prefixed. The owner reads it back with <see cref="Read"/>.
/// </summary>
internal static class DeltaFormat
{
    private const byte Version = 1;
    private static readonly byte[] Magic = "SLOD"u8.ToArray();

    public static byte[] Write(IReadOnlyList<DeltaRow> rows)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(rows.Count);
        foreach (var row in rows)
        {
            writer.Write(row.SeriesKey);
            writer.Write(row.State.Length);
            writer.Write(row.State);
        }

        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>The rows of a delta; throws <see cref="FormatException"/> naming what is wrong with bad input.</summary>
    public static List<DeltaRow> Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new FormatException("a delta starts with \"SLOD\"");
            }

            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new FormatException($"delta version {version} is not known (expected {Version})");
            }

            var count = reader.ReadInt32();
            if (count < 0 || count > bytes.Length)
            {
                throw new FormatException($"delta row count {count} is out of range");
            }

            var rows = new List<DeltaRow>(count);
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                var length = reader.ReadInt32();
                if (length < 0 || length > bytes.Length - reader.BaseStream.Position)
                {
                    throw new FormatException($"delta row {i} state length {length} is out of range");
                }

                rows.Add(new DeltaRow(key, reader.ReadBytes(length)));
            }

            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new FormatException("delta has trailing bytes");
            }

            return rows;
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("truncated delta", e);
        }
    }
}
