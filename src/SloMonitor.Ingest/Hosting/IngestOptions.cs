namespace SloMonitor.Ingest;

/// <summary>Limits of OTLP ingest; bound from the configuration section "Ingest". Every limit is documented in docs/ingest.md.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Largest request body after decompression (HTTP) or message (gRPC). Larger: 413 / RESOURCE_EXHAUSTED.</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Events whose own time is older than this are rejected (unless <see cref="MaxEventAgeSource"/> is set).</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// When set, read for every request instead of <see cref="MaxEventAge"/>: the host points it at the longest SLO
    /// window running, so an SLO added later with a longer window gets its older events too. Not bound from
    /// configuration.
    /// </summary>
    public Func<TimeSpan>? MaxEventAgeSource { get; set; }

    /// <summary>Events whose own time is further ahead of the server clock than this are rejected.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Export requests being decoded or applied at once (taken once the body has been read); beyond it: 429 /
    /// RESOURCE_EXHAUSTED.
    /// </summary>
    public int MaxInFlightRequests { get; set; } = 64;

    /// <summary>
    /// Bytes of request bodies held at once, across requests: as received, after decompression, and until the
    /// request is answered (standing for the decoded request); beyond it: 503 / UNAVAILABLE. At least MaxBodyBytes.
    /// </summary>
    public long MaxBytesInFlight { get; set; } = 256L * 1024 * 1024;

    /// <summary>Spans, data points and log records being applied at once; beyond it: 503 / UNAVAILABLE.</summary>
    public int MaxInFlightItems { get; set; } = 262_144;

    /// <summary>A span or data point with more attributes than this is rejected.</summary>
    public int MaxAttributesPerItem { get; set; } = 128;

    /// <summary>Deepest JSON nesting accepted in OTLP/HTTP JSON bodies (AnyValue arrays and maps nest).</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Cumulative series remembered for delta conversion; points of new series beyond it are rejected.</summary>
    public int MaxCumulativeSeries { get; set; } = 100_000;

    /// <summary>A cumulative series not seen for this long is forgotten when room is needed for a new one.</summary>
    public TimeSpan CumulativeSeriesIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Evicted cumulative series remembered (about 70 bytes each), so that one coming back starts from a baseline
    /// instead of counting its whole life again; 0 remembers none (then every series that started before the latest
    /// eviction starts from a baseline).
    /// </summary>
    public int MaxEvictedCumulativeSeries { get; set; } = 100_000;

    /// <summary>The delay a throttled exporter is told to wait (Retry-After, google.rpc.RetryInfo).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws an exception naming the first option whose value cannot work.</summary>
    public void Validate()
    {
        Positive(MaxBodyBytes, nameof(MaxBodyBytes));
        Positive(MaxInFlightRequests, nameof(MaxInFlightRequests));
        Positive(MaxInFlightItems, nameof(MaxInFlightItems));
        if (MaxBytesInFlight < MaxBodyBytes)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(MaxBytesInFlight)} must be at least MaxBodyBytes ({MaxBodyBytes}) (was {MaxBytesInFlight}).");
        }

        Positive(MaxAttributesPerItem, nameof(MaxAttributesPerItem));
        Positive(MaxJsonDepth, nameof(MaxJsonDepth));
        Positive(MaxCumulativeSeries, nameof(MaxCumulativeSeries));
        NotNegative(MaxEvictedCumulativeSeries, nameof(MaxEvictedCumulativeSeries));
        Positive(MaxEventAge, nameof(MaxEventAge));
        Positive(CumulativeSeriesIdleTimeout, nameof(CumulativeSeriesIdleTimeout));
        if (MaxFutureSkew < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(MaxFutureSkew)} must not be negative (was {MaxFutureSkew}).");
        }

        if (RetryAfter < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(RetryAfter)} must be at least one second (was {RetryAfter}).");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be positive (was {value}).");
        }
    }

    private static void NotNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must not be negative (was {value}).");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be positive (was {value}).");
        }
    }
}
