using System.Buffers.Binary;

namespace SloMonitor.Storage;

/// <summary>
/// An append-only file of records, each written as its length (4 bytes, little-endian), the CRC-32 of its bytes
/// (4 bytes) and the bytes. <see cref="Open"/> reads back every whole record and cuts the file after the last one,
/// so a record torn by a crash mid-write is dropped and earlier ones survive; a record whose checksum does not match
/// ends the readable part the same way. <see cref="Flush"/> fsyncs; <see cref="Rewrite"/> replaces the whole file
/// atomically (written beside it, fsynced, renamed over it) to drop records that are no longer needed. Not safe for
/// concurrent use: one writer owns it.
/// </summary>
public sealed class RecordLog : IDisposable
{
    private const int HeaderBytes = 8;
    private readonly string _path;
    private readonly int _maxRecordBytes;
    private FileStream _file;

    private RecordLog(string path, FileStream file, int maxRecordBytes)
    {
        _path = path;
        _file = file;
        _maxRecordBytes = maxRecordBytes;
    }

    public string Path => _path;

    /// <summary>The file's length in bytes.</summary>
    public long Length => _file.Length;

    /// <summary>
    /// Opens (creating it and its folder when missing) the log at <paramref name="path"/>; <paramref name="records"/>
    /// gets every intact record in order. Bytes after the last intact record are cut off.
    /// </summary>
    public static RecordLog Open(string path, out List<byte[]> records, int maxRecordBytes = 64 * 1024 * 1024)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        try
        {
            records = ReadAll(file, maxRecordBytes, out var intact);
            if (intact < file.Length)
            {
                file.SetLength(intact);
                file.Flush(flushToDisk: true);
            }

            file.Seek(0, SeekOrigin.End);
            return new RecordLog(path, file, maxRecordBytes);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends one record (buffered until <see cref="Flush"/>, or written to the OS when the buffer fills).</summary>
    public void Append(ReadOnlySpan<byte> record)
    {
        if (record.Length > _maxRecordBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(record), record.Length, $"a record may hold at most {_maxRecordBytes} bytes");
        }

        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Of(record));
        _file.Write(header);
        _file.Write(record);
    }

    /// <summary>Writes what was appended to the disk (fsync): once this returns, the records survive a crash.</summary>
    public void Flush() => _file.Flush(flushToDisk: true);

    /// <summary>Replaces the file by <paramref name="records"/>, atomically; appends go on after them.</summary>
    public void Rewrite(IEnumerable<byte[]> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var temporary = _path + ".new";
        using (var fresh = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var log = new RecordLog(temporary, fresh, _maxRecordBytes);
            foreach (var record in records)
            {
                log.Append(record);
            }

            fresh.Flush(flushToDisk: true);
        }

        _file.Dispose();
        File.Move(temporary, _path, overwrite: true);
        _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        _file.Seek(0, SeekOrigin.End);
    }

    public void Dispose() => _file.Dispose();

    private static List<byte[]> ReadAll(FileStream file, int maxRecordBytes, out long intact)
    {
        var records = new List<byte[]>();
        var header = new byte[HeaderBytes];
        intact = 0;
        file.Seek(0, SeekOrigin.Begin);
        while (true)
        {
            if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
            {
                return records;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            var checksum = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            if (length < 0 || length > maxRecordBytes || length > file.Length - file.Position)
            {
                return records;
            }

            var record = new byte[length];
            if (file.ReadAtLeast(record, length, throwOnEndOfStream: false) < length || Crc32.Of(record) != checksum)
            {
                return records;
            }

            records.Add(record);
            intact = file.Position;
        }
    }
}

/// <summary>CRC-32 (IEEE 802.3, as zlib and gzip use), table-driven: the log's checksum, not a security measure.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
