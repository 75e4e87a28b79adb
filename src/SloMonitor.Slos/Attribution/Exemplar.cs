using System.Buffers.Binary;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// One bad (or slow) event kept as an example: where to find its trace, when it ended, how long it took, its status
/// and the values of the SLO's attribution keys (null where the event had none). The ids are kept as numbers and
/// written as hex when read.
/// </summary>
internal sealed class Exemplar
{
    private readonly ulong _traceHigh;
    private readonly ulong _traceLow;
    private readonly ulong _spanId;
    private readonly bool _hasTrace;
    private readonly bool _hasSpan;

    public Exemplar(long unixMs, double durationSeconds, string status, ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, string?[] values)
    {
        UnixMs = unixMs;
        DurationSeconds = durationSeconds;
        Status = status;
        Values = values;
        if (traceId.Length == 16 && traceId.IndexOfAnyExcept((byte)0) >= 0)
        {
            _traceHigh = BinaryPrimitives.ReadUInt64BigEndian(traceId);
            _traceLow = BinaryPrimitives.ReadUInt64BigEndian(traceId[8..]);
            _hasTrace = true;
        }

        if (spanId.Length == 8 && spanId.IndexOfAnyExcept((byte)0) >= 0)
        {
            _spanId = BinaryPrimitives.ReadUInt64BigEndian(spanId);
            _hasSpan = true;
        }
    }

    public long UnixMs { get; }

    /// <summary>Seconds; NaN when unknown (a metric exemplar of a counter).</summary>
    public double DurationSeconds { get; }

    public string Status { get; }

    /// <summary>32 lowercase hex digits, or null when the event carried no trace.</summary>
    public string? TraceId => _hasTrace ? $"{_traceHigh:x16}{_traceLow:x16}" : null;

    /// <summary>16 lowercase hex digits, or null.</summary>
    public string? SpanId => _hasSpan ? $"{_spanId:x16}" : null;

    /// <summary>Aligned with <see cref="SloAttribution.Keys"/>.</summary>
    public string?[] Values { get; }

    public const int Bytes = 64;
}
