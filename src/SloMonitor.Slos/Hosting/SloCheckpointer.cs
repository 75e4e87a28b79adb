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
    SloTenants tenants,
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

    /// <summary>
    /// The journal row that says its series hold only what was recorded since the database checkpoint could last be
    /// read: at the next start the database rows are added to them, not replaced by the newer of the two.
    /// </summary>
    private const string PendingMergeKey = "pending-database-merge";

    /// <summary>How often the database checkpoint is asked for again when it could not be read at start-up.</summary>
    private static readonly TimeSpan LateLoadRetry = TimeSpan.FromSeconds(2);

    private readonly Lock _journalLock = new();
    private SloCheckpointJournal? _journal;
    private readonly Dictionary<(string, string, string), DateTimeOffset> _fromJournal = [];

    // While the database checkpoint is unread, the series hold only part of their history: no database write may
    // replace the rows that hold the rest, and the journal says so.
    private volatile bool _databaseRowsPending;
    private DateTimeOffset _pendingSince;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var journaled = new List<SloStateRow>();
        SloStateRow? pendingMark = null;
        if (options.LocalCheckpointInterval > TimeSpan.Zero)
        {
            try
            {
                _journal = SloCheckpointJournal.Open(options.LocalCheckpointFile, out var rows);
                pendingMark = rows.FirstOrDefault(r => r.Slo.Length == 0 && r.SeriesKey == PendingMergeKey);
                journaled.AddRange(rows.Where(r => r.Slo.Length > 0));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("Cannot open the local SLI checkpoint journal {File} ({Reason}); a crash will lose the events since the last database checkpoint", options.LocalCheckpointFile, e.Message);
            }
        }

        var restore = new Dictionary<(string, string, string), SloStateRow>();
        List<SloStateRow>? database = null;
        if (options.CheckpointInterval > TimeSpan.Zero)
        {
            try
            {
                database = [.. await store.LoadAllAsync(cancellationToken)];
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
            {
                logger.LogWarning("Cannot read the SLI checkpoint from PostgreSQL ({Reason}); restoring from the local journal, and adding the database's rows when it answers", e.Message);
                (_databaseRowsPending, _pendingSince) = (true, pendingMark?.SavedAt ?? time.GetUtcNow());
            }
        }

        // The newer of the two copies of each series, unless the journal holds only what came after the database rows.
        var merge = pendingMark is not null && database is not null;
        foreach (var row in merge ? [] : database ?? [])
        {
            restore[(row.Tenant, row.Slo, row.SeriesKey)] = row;
        }

        foreach (var row in journaled)
        {
            if (!restore.TryGetValue((row.Tenant, row.Slo, row.SeriesKey), out var saved) || saved.SavedAt <= row.SavedAt)
            {
                restore[(row.Tenant, row.Slo, row.SeriesKey)] = row;
                if (pendingMark is null)
                {
                    _fromJournal[(row.Tenant, row.Slo, row.SeriesKey)] = row.SavedAt; // a whole copy: the database's events are in it
                }
            }
        }

        var restored = tenants.Restore(restore.Values.Select(r => new SloSeriesCheckpoint(r.Slo, r.SeriesKey, r.State, r.Tenant)));
        if (merge)
        {
            restored += tenants.Merge(database!.Select(r => new SloSeriesCheckpoint(r.Slo, r.SeriesKey, r.State, r.Tenant)));
        }

        if (tenants.ApiLoaded)
        {
            tenants.DropLaterRestores();
        }

        logger.LogInformation("Restored {Restored} of {Saved} checkpointed SLI series", restored, restore.Count + (merge ? database!.Count : 0));
        if (_journal is not null)
        {
            WriteJournal(full: true); // the journal starts from what is running now
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Reads the database checkpoint that could not be read at start-up and adds its rows to the series, which
    /// recorded meanwhile: exactly, as the two hold different events. A series whose journal row was restored holds
    /// the database's events already when that row is the newer; when it is the older, the journal's copy is kept and
    /// the events between the two are lost (logged). True once done.
    /// </summary>
    internal async Task<bool> LoadLateAsync(CancellationToken cancellationToken)
    {
        if (!_databaseRowsPending)
        {
            return true;
        }

        IReadOnlyList<SloStateRow> rows;
        try
        {
            rows = await store.LoadAllAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            return false;
        }

        var merge = new List<SloSeriesCheckpoint>();
        var superseded = 0;
        foreach (var row in rows)
        {
            if (!_fromJournal.TryGetValue((row.Tenant, row.Slo, row.SeriesKey), out var journaledAt))
            {
                merge.Add(new SloSeriesCheckpoint(row.Slo, row.SeriesKey, row.State, row.Tenant));
            }
            else if (journaledAt < row.SavedAt)
            {
                superseded++;
            }
        }

        var merged = tenants.Merge(merge);
        if (tenants.ApiLoaded)
        {
            tenants.DropLaterRestores();
        }

        _databaseRowsPending = false;
        logger.LogInformation("Added {Merged} SLI series checkpointed in PostgreSQL to what was recorded since start-up ({Rows} rows)", merged, rows.Count);
        if (superseded > 0)
        {
            logger.LogWarning("{Count} SLI series kept their older local journal copy over a newer PostgreSQL one: the events between the two are missing", superseded);
        }

        if (_journal is not null)
        {
            WriteJournal(full: true); // without the pending mark: the series are whole again
        }

        return true;
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

        if (_databaseRowsPending)
        {
            tasks.Add(LoadLateLoopAsync(stoppingToken));
        }

        await Task.WhenAll(tasks);
    }

    private async Task LoadLateLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(LateLoadRetry, time);
        try
        {
            while (!await LoadLateAsync(stoppingToken) && await timer.WaitForNextTickAsync(stoppingToken))
            {
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes every series to PostgreSQL (not while the rows there hold history the series do not have yet).</summary>
    internal async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (_databaseRowsPending)
        {
            logger.LogInformation("The SLI checkpoint in PostgreSQL was not read yet: it is kept as it is until then");
            return;
        }

        using var activity = SloTelemetry.Source.StartActivity("slo.checkpoint");
        activity?.SetTag("slo.checkpoint.target", "database");
        var started = time.GetTimestamp();
        try
        {
            var now = time.GetUtcNow();
            var rows = tenants.Checkpoint().Select(c => new SloStateRow(c.Slo, c.SeriesKey, c.State, now, c.Tenant)).ToList();
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
                var checkpoints = rewrite ? [.. tenants.Checkpoint(), .. tenants.LaterRestores()] : tenants.CheckpointChanged();
                var rows = checkpoints.Select(c => new SloStateRow(c.Slo, c.SeriesKey, c.State, now, c.Tenant)).ToList();
                if (rewrite && _databaseRowsPending)
                {
                    rows.Add(new SloStateRow("", PendingMergeKey, [], _pendingSince));
                }

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
        BytesPerSlo.WithLabels(target).Set(tenants.Count == 0 ? 0 : (double)bytes / tenants.Count);
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
