using Prometheus;

namespace SloMonitor.Hosting;

/// <summary>
/// What the service knows of PostgreSQL: whether the migrations ran and whether it answered the last probe. The
/// service serves ingest, SLO state and file-defined SLOs without it; <c>/readyz</c> and <c>slomon_database_up</c>
/// report it.
/// </summary>
internal sealed class DatabaseHealth
{
    private static readonly Gauge Up = Metrics.CreateGauge("slomon_database_up", "1 while PostgreSQL answers the service's probes, 0 while it does not.");
    private static readonly Gauge Migrated = Metrics.CreateGauge("slomon_ready", "1 once the database migrations ran (the service serves ingest before that too).");
    private static readonly Counter Errors = Metrics.CreateCounter("slomon_database_errors_total", "Times PostgreSQL could not be used: failed probes and migrations, requests answered 503.", "operation");
    private static readonly Histogram ProbeDuration = Metrics.CreateHistogram(
        "slomon_database_probe_duration_seconds", "Time PostgreSQL took to answer the service's probe (SELECT 1 on a pooled connection).",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
    private readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _problem = "not probed yet";

    public bool IsMigrated => _migrated.Task.IsCompleted;

    public bool IsUp => _problem is null;

    /// <summary>Why the database is counted down, or null while it answers.</summary>
    public string? Problem => _problem;

    /// <summary>Completes once the migrations ran: what needs the schema waits for it.</summary>
    public Task WhenMigrated => _migrated.Task;

    public void MarkMigrated()
    {
        Migrated.Set(1);
        _migrated.TrySetResult();
        MarkUp();
    }

    public void MarkUp()
    {
        _problem = null;
        Up.Set(1);
    }

    public void MarkDown(string problem)
    {
        _problem = problem;
        Up.Set(0);
    }

    /// <summary>Counts one failed use of the database by <paramref name="operation"/> (probe, migrate, request).</summary>
    public static void CountError(string operation) => Errors.WithLabels(operation).Inc();

    public static void ObserveProbe(TimeSpan duration) => ProbeDuration.Observe(duration.TotalSeconds);
}
