namespace SloMonitor.Slos.Evaluation;

/// <summary>Limits of the engine (configuration section <c>Slos</c>).</summary>
public sealed class SloEngineOptions
{
    /// <summary>Groups per SLO with <c>groupBy</c>, unless the SLO sets <c>maxGroups</c>.</summary>
    public int MaxGroupsPerSlo { get; set; } = 100;

    /// <summary>The group series one tenant (one engine) may hold across its SLOs.</summary>
    public int MaxGroupSeriesPerTenant { get; set; } = 200_000;

    /// <summary>Exponential histogram scale of latency series (relative error about 2^(2^-scale) − 1).</summary>
    public int HistogramScale { get; set; } = 5;

    /// <summary>Data kept beyond the longest window, so that the history of the SLO window can be charted.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Burn attribution and exemplars (<c>Slos:Attribution</c>).</summary>
    public Attribution.AttributionOptions Attribution { get; set; } = new();
}
