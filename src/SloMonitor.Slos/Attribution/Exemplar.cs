using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// One bad (or slow) event kept as an example: where to find its trace, when it ended, how long it took, its status
/// and the values of the SLO's attribution keys (null where the event had none). All of it is one byte array, shared
/// by the slices of the three rings: end time, duration, trace id, span id, status, key count, a bit per key that
/// has a value, then each value as its UTF-8 length and bytes. The ids are written as hex when read.
/// </summary>
internal readonly struct Exemplar : IEquatable<Exemplar>
{
    private const int TimeAt = 0;
    private const int DurationAt = 8;
    private const int TraceAt = 16;
    private const int SpanAt = 32;
    private const int StatusAt = 40;
    private const int KeysAt = 41;
    private const int PresentAt = 42;
    private const int ValuesAt = 50;

    private static readonly string[] Statuses = ["unset", "ok", "error", "slow", "bad"];

    private readonly byte[] _record;

    public Exemplar(byte[] record) => _record = record;

    /// <summary>
    /// Writes the record of an event: <paramref name="hashes"/> says which keys have a value (not 0), their UTF-8 text
    /// is <paramref name="text"/> cut at <paramref name="ends"/> (key k ends at ends[k], starts where k − 1 ended).
    /// </summary>
    public static byte[] Record(long unixMs, double durationSeconds, string status, ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, ReadOnlySpan<ulong> hashes, ReadOnlySpan<byte> text, ReadOnlySpan<int> ends)
    {
        var size = ValuesAt;
        for (var k = 0; k < hashes.Length; k++)
        {
            if (hashes[k] != 0)
            {
                var length = ends[k] - (k == 0 ? 0 : ends[k - 1]);
                size += (length >= 0x80 ? 2 : 1) + length;
            }
        }

        var record = new byte[size];
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(TimeAt), unixMs);
        BinaryPrimitives.WriteDoubleLittleEndian(record.AsSpan(DurationAt), durationSeconds);
        if (traceId.Length == 16)
        {
            traceId.CopyTo(record.AsSpan(TraceAt));
        }

        if (spanId.Length == 8)
        {
            spanId.CopyTo(record.AsSpan(SpanAt));
        }

        record[StatusAt] = (byte)Math.Max(0, Array.IndexOf(Statuses, status));
        record[KeysAt] = (byte)hashes.Length;
        ulong present = 0;
        var at = ValuesAt;
        for (var k = 0; k < hashes.Length; k++)
        {
            if (hashes[k] == 0)
            {
                continue;
            }

            present |= 1UL << k;
            var start = k == 0 ? 0 : ends[k - 1];
            var length = ends[k] - start;
            if (length < 0x80)
            {
                record[at++] = (byte)length;
            }
            else
            {
                record[at++] = (byte)(0x80 | (length & 0x7F));
                record[at++] = (byte)(length >> 7);
            }

            text.Slice(start, length).CopyTo(record.AsSpan(at));
            at += length;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(PresentAt), present);
        return record;
    }

    public long UnixMs => BinaryPrimitives.ReadInt64LittleEndian(_record.AsSpan(TimeAt));

    /// <summary>Seconds; NaN when unknown (a metric exemplar of a counter).</summary>
    public double DurationSeconds => DurationOf(_record);

    public string Status => Statuses[Math.Min(_record[StatusAt], Statuses.Length - 1)];

    /// <summary>32 lowercase hex digits, or null when the event carried no trace.</summary>
    public string? TraceId => Hex(_record.AsSpan(TraceAt, 16));

    /// <summary>16 lowercase hex digits, or null.</summary>
    public string? SpanId => Hex(_record.AsSpan(SpanAt, 8));

    /// <summary>Aligned with <see cref="SloAttribution.Keys"/> (made on each call).</summary>
    public string?[] Values
    {
        get
        {
            var values = new string?[_record[KeysAt]];
            var present = BinaryPrimitives.ReadUInt64LittleEndian(_record.AsSpan(PresentAt));
            var at = ValuesAt;
            for (var k = 0; k < values.Length; k++)
            {
                if ((present & (1UL << k)) == 0)
                {
                    continue;
                }

                var length = _record[at] & 0x7F;
                if ((_record[at++] & 0x80) != 0)
                {
                    length |= _record[at++] << 7;
                }

                values[k] = Encoding.UTF8.GetString(_record.AsSpan(at, length));
                at += length;
            }

            return values;
        }
    }

    /// <summary>What the record takes on the heap.</summary>
    public int Bytes => Heap.Array(_record.Length, 1);

    public static double DurationOf(byte[] record) => BinaryPrimitives.ReadDoubleLittleEndian(record.AsSpan(DurationAt));

    public bool Equals(Exemplar other) => ReferenceEquals(_record, other._record);

    public override bool Equals(object? obj) => obj is Exemplar other && Equals(other);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(_record);

    private static string? Hex(ReadOnlySpan<byte> id) => id.IndexOfAnyExcept((byte)0) >= 0 ? Convert.ToHexStringLower(id) : null;
}
