using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Keeps the SLO windows across restarts and crashes. At start-up (after the definitions load, as it is registered
/// after the loader) it restores, for each series, the newest of its PostgreSQL checkpoint (<c>slo_state</c>) and its
/// local journal row. Every <c>Slos:LocalCheckpointInterval</c> (5 s) the series that changed go to the local
/// journal, fsynced, so a SIGKILL loses at most that interval of events; every <c>Slos:CheckpointInterval</c>
/// (5 min) and at shutdown every series goes to PostgreSQL too, for a restart on another machine. A database that is
/// down delays only the PostgreSQL copy. Zero intervals turn either off.
/// </summary>
internal sealed class SloCheckpointer(
    SloOptions options,
    SloEngine engine,
    SloCatalog catalog,
    SloStateStore store,
    TimeProvider time,
    ILogger<SloCheckpointer> logger) : BackgroundService
{
    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "slomon_checkpoint_duration_seconds", "Time to write one SLI checkpoint, by target (local journal or database).",
        new HistogramConfiguration { LabelNames = ["target"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });

    private static readonly Gauge Bytes = Metrics.CreateGauge("slomon_checkpoint_bytes", "Bytes of the last SLI checkpoint written, by target.", "target");
    private static readonly Gauge BytesPerSlo = Metrics.CreateGauge("slomon_checkpoint_bytes_per_slo", "Bytes of the last checkpoint divided by the SLOs running: the checkpoint cost of one SLO.", "target");
    private static readonly Gauge Series = Metrics.CreateGauge("slomon_checkpoint_series", "Series (tracks) in the last SLI checkpoint, by target.", "target");
    private static readonly Counter Failures = Metrics.CreateCounter("slomon_checkpoint_failures_total", "SLI checkpoints that could not be written, by target.", "target");
    private static readonly Gauge JournalBytes = Metrics.CreateGauge("slomon_checkpoint_journal_bytes", "Size of the local checkpoint journal file.");

    private readonly Lock _journalLock = new();
    private SloCheckpointJournal? _journal;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string, string), SloStateRow>();
        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            try
            {
                foreach (var row in await store.LoadAllAsync(cancellationToken))
                {
                    rows[(row.Slo, row.SeriesKey)] = row;
                }
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
            {
                logger.LogWarning("Cannot read the SLI checkpoint from PostgreSQL ({Reason}); restoring from the local journal only", e.Message);
            }
        }

        if (options.LocalCheckpointInterval > TimeSpan.Zero)
        {
            try
            {
                _journal = SloCheckpointJournal.Open(options.LocalCheckpointFile, out var journaled);
                foreach (var row in journaled)
                {
                    if (!rows.TryGetValue((row.Slo, row.SeriesKey), out var saved) || saved.SavedAt <= row.SavedAt)
                    {
                        rows[(row.Slo, row.SeriesKey)] = row;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("Cannot open the local SLI checkpoint journal {File} ({Reason}); a crash will lose the events since the last database checkpoint", options.LocalCheckpointFile, e.Message);
            }
        }

        var restored = engine.Restore(rows.Values.Select(r => new SloSeriesCheckpoint(r.Slo, r.SeriesKey, r.State)));
        if (catalog.ApiLoaded)
        {
            engine.DropLaterRestores();
        }

        logger.LogInformation("Restored {Restored} of {Saved} checkpointed SLI series", restored, rows.Count);
        if (_journal is not null)
        {
            WriteJournal(full: true); // the journal starts from what is running now
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_journal is not null)
        {
            WriteJournal(full: true);
        }

        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            await SaveAsync(cancellationToken);
        }
    }

    public override void Dispose()
    {
        _journal?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tasks = new List<Task>();
        if (_journal is not null)
        {
            tasks.Add(EveryAsync(options.LocalCheckpointInterval, () =>
            {
                WriteJournal(full: false);
                return Task.CompletedTask;
            }, stoppingToken));
        }

        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            tasks.Add(EveryAsync(options.CheckpointInterval, () => SaveAsync(stoppingToken), stoppingToken));
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Writes every series to PostgreSQL.</summary>
    internal async Task SaveAsync(CancellationToken cancellationToken)
    {
        using var activity = SloTelemetry.Source.StartActivity("slo.checkpoint");
        activity?.SetTag("slo.checkpoint.target", "database");
        var started = time.GetTimestamp();
        try
        {
            var now = time.GetUtcNow();
            var rows = engine.Checkpoint().Select(c => new SloStateRow(c.Slo, c.SeriesKey, c.State, now)).ToList();
            await store.ReplaceAllAsync(rows, cancellationToken);
            Observe("database", rows, started);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) || e is OperationCanceledException)
        {
            Failures.WithLabels("database").Inc();
            logger.LogWarning("Cannot write the SLI checkpoint to PostgreSQL: {Reason}; the local journal keeps the series meanwhile", e.Message);
        }
    }

    /// <summary>Appends the changed series to the local journal (every series when <paramref name="full"/> or when a rewrite is due).</summary>
    internal void WriteJournal(bool full)
    {
        lock (_journalLock)
        {
            if (_journal is null)
            {
                return;
            }

            using var activity = SloTelemetry.Source.StartActivity("slo.checkpoint");
            activity?.SetTag("slo.checkpoint.target", "local");
            var started = time.GetTimestamp();
            try
            {
                var now = time.GetUtcNow();
                var rewrite = full || _journal.WantsRewrite;
                var checkpoints = rewrite ? [.. engine.Checkpoint(), .. engine.LaterRestores()] : engine.CheckpointChanged();
                var rows = checkpoints.Select(c => new SloStateRow(c.Slo, c.SeriesKey, c.State, now)).ToList();
                var written = rewrite ? _journal.Rewrite(rows) : _journal.Append(rows);
                Observe("local", rows, started, written);
                JournalBytes.Set(_journal.Length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Failures.WithLabels("local").Inc();
                logger.LogError("Cannot write the local SLI checkpoint journal {File}: {Reason}", options.LocalCheckpointFile, e.Message);
            }
        }
    }

    private void Observe(string target, List<SloStateRow> rows, long started, long? written = null)
    {
        var bytes = written ?? rows.Sum(r => (long)r.State.Length);
        Duration.WithLabels(target).Observe(time.GetElapsedTime(started).TotalSeconds);
        Bytes.WithLabels(target).Set(bytes);
        Series.WithLabels(target).Set(rows.Count);
        BytesPerSlo.WithLabels(target).Set(engine.Count == 0 ? 0 : (double)bytes / engine.Count);
    }

    private async Task EveryAsync(TimeSpan interval, Func<Task> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await work();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
