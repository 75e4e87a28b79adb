using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Hosting;

/// <summary>The <c>Slos</c> configuration section (documented in docs/slos.md).</summary>
public sealed class SloOptions
{
    /// <summary>SLO files to load: paths or globs (<c>slos/*.yaml</c>, <c>conf/**/*.yml</c>), relative to the working directory.</summary>
    public string[] Files { get; set; } = [];

    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the files are checked for changes.</summary>
    public TimeSpan FileCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after a watched file's last change it is read; zero turns watching off (only the periodic check remains).</summary>
    public TimeSpan FileChangeDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    public int MaxGroupsPerSlo { get; set; } = 100;

    /// <summary>The groups one tenant's SLOs may hold together; past it, new groups count only in their SLO's overall SLI (a problem on the SLO says so).</summary>
    public int MaxGroupSeriesPerTenant { get; set; } = 200_000;

    public int HistogramScale { get; set; } = 5;

    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the SLI series are written to PostgreSQL to survive restarts; zero turns it off.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the series that changed are appended to the local journal: what a killed process can lose; zero turns it off.</summary>
    public TimeSpan LocalCheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each SLO's report of the month so far is stored (<c>slo_month_summary</c>), so that monthly reports outlive the series; zero turns it off.</summary>
    public TimeSpan MonthSummaryInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The local checkpoint journal, relative to the working directory.</summary>
    public string LocalCheckpointFile { get; set; } = Path.Combine(".data", "sli-checkpoint.journal");

    /// <summary>The most SLOs one tenant may run (its files' and its API's together); more answers 422 naming this cap.</summary>
    public int MaxSlosPerTenant { get; set; } = 20_000;

    /// <summary>The most SLOs one bulk apply (<c>POST /api/v1/slos/apply</c>) may carry.</summary>
    public int MaxApplySlos { get; set; } = 10_000;

    /// <summary>The longest a deploy-gate override (<c>POST /api/v1/gates/{service}/overrides</c>) may last.</summary>
    public TimeSpan MaxGateOverride { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most budget adjustments one SLO may have (<c>POST /api/v1/slos/{name}/adjustments</c>).</summary>
    public int MaxAdjustmentsPerSlo { get; set; } = 1000;

    /// <summary>Burn attribution, exemplars and deploy markers (docs/attribution.md).</summary>
    public Attribution.AttributionOptions Attribution { get; set; } = new();

    /// <summary>
    /// Turns exemplar ids into links for every SLO without its own: <c>{traceId}</c> and <c>{spanId}</c> are replaced
    /// (<c>https://tempo.example/trace/{traceId}</c>). Null: no links.
    /// </summary>
    public string? TraceUrlTemplate { get; set; }

    internal SloEngineOptions ToEngineOptions() => new()
    {
        Attribution = Attribution,
        MaxGroupsPerSlo = MaxGroupsPerSlo,
        MaxGroupSeriesPerTenant = MaxGroupSeriesPerTenant,
        HistogramScale = HistogramScale,
        HistoryRetention = HistoryRetention,
    };

    internal void Validate()
    {
        Attribution.Validate();
        if (TraceUrlTemplate is { } template && !Definitions.TraceLinks.IsValidTemplate(template))
        {
            throw new InvalidOperationException($"Slos:TraceUrlTemplate must be an absolute http(s) URL containing {{traceId}}, found '{template}'");
        }

        if (EvaluationInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException($"Slos:EvaluationInterval must be at least 100ms, found {EvaluationInterval}");
        }

        if (MonthSummaryInterval != TimeSpan.Zero && MonthSummaryInterval < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"Slos:MonthSummaryInterval must be zero (off) or at least 1s, found {MonthSummaryInterval}");
        }

        if (FileCheckInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException($"Slos:FileCheckInterval must be at least 100ms, found {FileCheckInterval}");
        }

        if (FileChangeDelay < TimeSpan.Zero || FileChangeDelay > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Slos:FileChangeDelay must be between 0 and 1 minute, found {FileChangeDelay}");
        }

        if (MaxGroupSeriesPerTenant < 1)
        {
            throw new InvalidOperationException($"Slos:MaxGroupSeriesPerTenant must be at least 1, found {MaxGroupSeriesPerTenant}");
        }

        if (MaxGroupsPerSlo < 1)
        {
            throw new InvalidOperationException($"Slos:MaxGroupsPerSlo must be at least 1, found {MaxGroupsPerSlo}");
        }

        if (MaxSlosPerTenant < 1)
        {
            throw new InvalidOperationException($"Slos:MaxSlosPerTenant must be at least 1, found {MaxSlosPerTenant}");
        }

        if (MaxApplySlos < 1)
        {
            throw new InvalidOperationException($"Slos:MaxApplySlos must be at least 1, found {MaxApplySlos}");
        }

        if (MaxAdjustmentsPerSlo < 1)
        {
            throw new InvalidOperationException($"Slos:MaxAdjustmentsPerSlo must be at least 1, found {MaxAdjustmentsPerSlo}");
        }

        if (MaxGateOverride < TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Slos:MaxGateOverride must be at least 1 minute, found {MaxGateOverride}");
        }

        if (HistogramScale is < 0 or > 10)
        {
            throw new InvalidOperationException($"Slos:HistogramScale must be between 0 and 10, found {HistogramScale}");
        }
    }
}
