namespace SloMonitor.Slos.Attribution;

/// <summary>
/// One bad (or slow) event kept as an example: where to find its trace, when it ended, how long it took, its status
/// and the values of the SLO's attribution keys (null where the event had none).
/// </summary>
internal sealed class Exemplar(long unixMs, double durationSeconds, string status, string? traceId, string? spanId, string?[] values)
{
    public long UnixMs { get; } = unixMs;

    /// <summary>Seconds; NaN when unknown (a metric exemplar of a counter).</summary>
    public double DurationSeconds { get; } = durationSeconds;

    public string Status { get; } = status;

    /// <summary>32 lowercase hex digits, or null when the event carried no trace.</summary>
    public string? TraceId { get; } = traceId;

    public string? SpanId { get; } = spanId;

    /// <summary>Aligned with <see cref="SloAttribution.Keys"/>.</summary>
    public string?[] Values { get; } = values;

    public static string? Hex(ReadOnlySpan<byte> id)
    {
        foreach (var b in id)
        {
            if (b != 0)
            {
                return Convert.ToHexStringLower(id);
            }
        }

        return null;
    }
}
