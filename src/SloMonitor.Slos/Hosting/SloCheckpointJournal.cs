using System.Text;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// The local journal of SLI checkpoints (<c>Slos:LocalCheckpointFile</c>): every few seconds the tracks that changed
/// are appended as checkpoint rows and fsynced, so a killed process loses at most that interval. When the file grows
/// past twice its last full size it is rewritten with every track once. Rows are <c>saved-at ms</c>, SLO name,
/// series key, state and tenant; the newest row of a series wins on start-up.
/// </summary>
internal sealed class SloCheckpointJournal : IDisposable
{
    private static readonly long MinimumCompactionBytes = 16L * 1024 * 1024;
    private readonly RecordLog _log;
    private long _fullBytes;

    private SloCheckpointJournal(RecordLog log)
    {
        _log = log;
        _fullBytes = log.Length;
    }

    public long Length => _log.Length;

    /// <summary>Opens the journal; <paramref name="latest"/> gets the newest row of each series it holds.</summary>
    public static SloCheckpointJournal Open(string path, out IReadOnlyList<SloStateRow> latest)
    {
        var log = RecordLog.Open(path, out var records);
        var newest = new Dictionary<(string, string, string), SloStateRow>();
        foreach (var record in records)
        {
            if (Decode(record) is { } row && (!newest.TryGetValue((row.Tenant, row.Slo, row.SeriesKey), out var seen) || seen.SavedAt <= row.SavedAt))
            {
                newest[(row.Tenant, row.Slo, row.SeriesKey)] = row;
            }
        }

        latest = [.. newest.Values];
        return new SloCheckpointJournal(log);
    }

    /// <summary>Appends <paramref name="rows"/> and fsyncs; returns the bytes written.</summary>
    public long Append(IReadOnlyList<SloStateRow> rows)
    {
        var before = _log.Length;
        foreach (var row in rows)
        {
            _log.Append(Encode(row));
        }

        _log.Flush();
        return _log.Length - before;
    }

    /// <summary>True when the file has grown enough that a rewrite with every track once is due.</summary>
    public bool WantsRewrite => _log.Length > Math.Max(MinimumCompactionBytes, 2 * _fullBytes);

    /// <summary>Replaces the journal by <paramref name="rows"/> (every track once); returns the bytes written.</summary>
    public long Rewrite(IReadOnlyList<SloStateRow> rows)
    {
        _log.Rewrite(rows.Select(Encode));
        _fullBytes = _log.Length;
        return _fullBytes;
    }

    public void Dispose() => _log.Dispose();

    private static byte[] Encode(SloStateRow row)
    {
        using var stream = new MemoryStream(row.State.Length + 64);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(row.SavedAt.ToUnixTimeMilliseconds());
        writer.Write(row.Slo);
        writer.Write(row.SeriesKey);
        writer.Write(row.State.Length);
        writer.Write(row.State);
        writer.Write(row.Tenant);
        writer.Flush();
        return stream.ToArray();
    }

    private static SloStateRow? Decode(byte[] record)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(record), Encoding.UTF8);
            var savedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var slo = reader.ReadString();
            var key = reader.ReadString();
            var state = reader.ReadBytes(reader.ReadInt32());
            var tenant = reader.BaseStream.Position < reader.BaseStream.Length ? reader.ReadString() : Tenants.Default; // rows from before tenants
            return new SloStateRow(slo, key, state, savedAt, tenant);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException or FormatException or IOException)
        {
            return null; // an intact record of another shape: skipped, the other rows still count
        }
    }
}
