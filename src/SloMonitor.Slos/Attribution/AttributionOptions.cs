namespace SloMonitor.Slos.Attribution;

/// <summary>
/// What burn attribution and exemplars keep per SLO (configuration section <c>Slos:Attribution</c>, documented in
/// docs/attribution.md). Every figure bounds memory: see <see cref="SloAttribution"/> for how they combine.
/// </summary>
public sealed class AttributionOptions
{
    /// <summary>The attribute keys counted for every SLO when <see cref="Keys"/> is not set.</summary>
    public static readonly string[] DefaultKeys =
    [
        "http.route", "span.name", "http.request.method", "http.response.status_code", "rpc.method", "error.type",
        "service.version", "deployment.environment.name", "cloud.region", "k8s.pod.name", "server.address", "peer.service",
    ];

    /// <summary>The attribute keys counted for every SLO, besides the SLO's own <c>groupBy</c> and label keys; null: <see cref="DefaultKeys"/>.</summary>
    public string[]? Keys { get; set; }

    internal string[] EffectiveKeys => Keys ?? DefaultKeys;

    /// <summary>
    /// Keys that describe the failure rather than where it happens (a 500 is on every failed request): counted and
    /// listed per key, but not ranked among the top attributions. Null: <see cref="DefaultOutcomeKeys"/>.
    /// </summary>
    public string[]? OutcomeKeys { get; set; }

    public static readonly string[] DefaultOutcomeKeys = ["http.response.status_code", "error.type", "rpc.grpc.status_code", "status.code"];

    internal string[] EffectiveOutcomeKeys => OutcomeKeys ?? DefaultOutcomeKeys;

    /// <summary>Off: no attribution, exemplars nor deploy markers are kept.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most keys one SLO counts (defaults, then groupBy, then labels; the rest are left out).</summary>
    public int MaxKeys { get; set; } = 16;

    /// <summary>Attribute values are cut to this many characters before they are counted.</summary>
    public int MaxValueLength { get; set; } = 100;

    /// <summary>Values tracked per key per slice (Space-Saving capacity): any value holding more than 1/this of the bad events is among them.</summary>
    public int ValuesPerKey { get; set; } = 5;

    /// <summary>Counters per row of the Count-Min sketch of each slice's traffic per value (shared by the keys; 0: none).</summary>
    public int SketchWidth { get; set; } = 64;

    /// <summary>Rows of that sketch: its error bound holds with probability 1 − e^−depth.</summary>
    public int SketchDepth { get; set; } = 2;

    /// <summary>Good events counted at least: one in this many, at random, weighted by it (bad events are all counted).</summary>
    public int GoodSampleEvery { get; set; } = 1;

    /// <summary>
    /// Good-event samples one SLO takes a minute, about (between this and twice this once its traffic is higher): the
    /// interval doubles from <see cref="GoodSampleEvery"/> as the minute's traffic grows (up to one in 2^24) and starts
    /// the next minute from the one before. 0: always one in <see cref="GoodSampleEvery"/>.
    /// </summary>
    public int GoodSamplesPerMinute { get; set; } = 256;

    /// <summary>Recent bad events kept per slice (and, for latency SLIs, as many of the slowest).</summary>
    public int ExemplarsPerSlice { get; set; } = 3;

    /// <summary>Distinct <c>service.version</c> values remembered per SLO for deploy markers.</summary>
    public int MaxDeploys { get; set; } = 20;

    internal void Validate()
    {
        Check(MaxKeys, 1, 64, "MaxKeys");
        Check(MaxValueLength, 8, 1024, "MaxValueLength");
        Check(ValuesPerKey, 1, 64, "ValuesPerKey");
        Check(SketchWidth, 0, 65_536, "SketchWidth");
        Check(SketchDepth, 1, 8, "SketchDepth");
        Check(GoodSampleEvery, 1, 1 << 20, "GoodSampleEvery");
        Check(GoodSamplesPerMinute, 0, 1 << 20, "GoodSamplesPerMinute");
        Check(ExemplarsPerSlice, 0, 64, "ExemplarsPerSlice");
        Check(MaxDeploys, 0, 1000, "MaxDeploys");
        foreach (var key in Keys ?? [])
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new InvalidOperationException("Slos:Attribution:Keys must not contain an empty key");
            }
        }
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new InvalidOperationException($"Slos:Attribution:{name} must be between {min} and {max}, found {value}");
        }
    }
}
