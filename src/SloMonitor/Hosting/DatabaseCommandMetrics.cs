using System.Diagnostics;
using Prometheus;

namespace SloMonitor.Hosting;

/// <summary>
/// The time of every PostgreSQL command the service runs, as <c>slomon_database_command_duration_seconds</c> by
/// outcome (<c>ok</c>, <c>error</c>), read from Npgsql's own activities: Npgsql times each command from its start to
/// its last result, and marks the ones that failed. Listening asks only for propagation data, so with tracing off no
/// tag is collected and nothing is exported; Npgsql's meters give connection pool figures only.
/// </summary>
internal static class DatabaseCommandMetrics
{
    private const string NpgsqlSource = "Npgsql";

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "slomon_database_command_duration_seconds",
        "Time PostgreSQL commands took, from sending to the last result, by outcome (ok, error).",
        new HistogramConfiguration { LabelNames = ["outcome"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });

    private static ActivityListener? _listener;

    /// <summary>Starts the one listener of the process (hosts built again in the same process share it).</summary>
    public static void EnsureStarted() => LazyInitializer.EnsureInitialized(ref _listener, () =>
    {
        var ok = Duration.WithLabels("ok");
        var error = Duration.WithLabels("error");
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == NpgsqlSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = activity => (activity.Status == ActivityStatusCode.Error ? error : ok).Observe(activity.Duration.TotalSeconds),
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    });
}
