using Microsoft.Extensions.Logging;
using Prometheus;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Storage;

namespace SloMonitor.Alerting.Spool;

/// <summary>
/// The local spool of alerting (<c>Alerting:Spool:File</c>): notification decisions taken while PostgreSQL was away,
/// their delivery attempts, and the incident changes still to be written, in a <see cref="RecordLog"/> that is
/// fsynced before a decision counts as taken. Memory holds the same state; the file makes it survive a crash and is
/// replayed on start. Once everything is in PostgreSQL the file is rewritten without it. The file never grows past
/// <c>Alerting:Spool:MaxBytes</c>: beyond it, records are kept in memory only (and counted).
/// </summary>
internal sealed class NotificationSpool : IDisposable
{
    private static readonly Gauge Depth = Metrics.CreateGauge(
        "slomon_notification_spool_depth", "Notification messages in the local spool, not yet moved into the outbox (delivered from the spool or not).");
    private static readonly Gauge Undelivered = Metrics.CreateGauge(
        "slomon_notification_spool_undelivered", "Notification messages in the local spool still waiting to be delivered.");
    private static readonly Gauge OldestAge = Metrics.CreateGauge(
        "slomon_notification_spool_oldest_age_seconds", "Age of the oldest decision in the local spool (0 when it is empty).");
    private static readonly Gauge IncidentWrites = Metrics.CreateGauge(
        "slomon_notification_spool_incident_writes", "Incident changes in the local spool waiting for PostgreSQL.");
    private static readonly Gauge Bytes = Metrics.CreateGauge("slomon_notification_spool_bytes", "Size of the local spool file.");
    private static readonly Counter Overflow = Metrics.CreateCounter(
        "slomon_notification_spool_overflow_total", "Spool records kept in memory only because the file reached Alerting:Spool:MaxBytes or could not be written.");

    private readonly object _gate = new();
    private readonly List<SpooledDecision> _decisions = [];
    private readonly List<SpooledIncidentWork> _work = [];
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _path;
    private RecordLog? _log;

    public NotificationSpool(AlertingOptions options, TimeProvider time, ILogger<NotificationSpool> logger)
    {
        _maxBytes = options.SpoolMaxBytes;
        _time = time;
        _logger = logger;
        _path = options.SpoolFile;
        try
        {
            _log = RecordLog.Open(_path, out var records);
            foreach (var record in records)
            {
                Replay(SpoolRecord.Decode(record));
            }

            if (!IsEmpty)
            {
                logger.LogWarning("The notification spool {File} holds {Messages} messages and {Changes} incident changes from before the start; delivering and moving them into PostgreSQL",
                    _path, _decisions.Sum(d => d.Messages.Count), _work.Count);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Cannot open the notification spool {File} ({Reason}); notifications decided while PostgreSQL is away are kept in memory only", _path, e.Message);
        }

        Publish();
    }

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _decisions.Count == 0 && _work.Count == 0;
            }
        }
    }

    public bool HasIncidentWork
    {
        get
        {
            lock (_gate)
            {
                return _work.Count > 0;
            }
        }
    }

    /// <summary>The decisions held, oldest first (a copy of the list; the objects are shared).</summary>
    public IReadOnlyList<SpooledDecision> Decisions
    {
        get
        {
            lock (_gate)
            {
                return [.. _decisions];
            }
        }
    }

    public IReadOnlyList<SpooledIncidentWork> IncidentWork
    {
        get
        {
            lock (_gate)
            {
                return [.. _work];
            }
        }
    }

    /// <summary>Takes a decision; true when it is on disk (fsynced), false when it is held in memory only.</summary>
    public bool Add(SpooledDecision decision)
    {
        lock (_gate)
        {
            _decisions.Add(decision);
            return Write(new SpoolRecord(Decision: decision));
        }
    }

    /// <summary>Takes an incident change to write later; true when it is on disk.</summary>
    public bool Add(SpooledIncidentWork work)
    {
        lock (_gate)
        {
            _work.Add(work);
            return Write(new SpoolRecord(Work: work));
        }
    }

    /// <summary>Messages due for an attempt now, at most <paramref name="limit"/>; each is marked in flight.</summary>
    public IReadOnlyList<SpooledMessage> TakeDue(DateTimeOffset now, int limit)
    {
        var due = new List<SpooledMessage>();
        lock (_gate)
        {
            foreach (var message in _decisions.SelectMany(d => d.Messages))
            {
                if (due.Count >= limit)
                {
                    break;
                }

                if (message.State == "pending" && !message.InFlight && message.NextAttemptAt <= now)
                {
                    message.InFlight = true;
                    message.Attempts++;
                    due.Add(message);
                }
            }
        }

        return due;
    }

    /// <summary>Records an attempt's outcome (on disk before it returns) and ends the message's flight.</summary>
    public void Record(SpooledMessage message, SpooledAttempt attempt)
    {
        lock (_gate)
        {
            Apply(message, attempt);
            message.InFlight = false;
            Write(new SpoolRecord(Attempt: attempt));
        }
    }

    /// <summary>Forgets the first <paramref name="count"/> incident changes (they are in PostgreSQL now) and rewrites the file.</summary>
    public void RemoveIncidentWork(int count)
    {
        lock (_gate)
        {
            _work.RemoveRange(0, Math.Min(count, _work.Count));
            Rewrite();
        }
    }

    /// <summary>Forgets decisions that are in the outbox now and rewrites the file.</summary>
    public void Remove(IReadOnlyCollection<SpooledDecision> moved)
    {
        lock (_gate)
        {
            _decisions.RemoveAll(moved.Contains);
            Rewrite();
        }
    }

    /// <summary>The newest decision per (receiver, group): what each receiver was last told while the database was away.</summary>
    public IReadOnlyDictionary<(string Receiver, string GroupKey), NotificationLogEntry> LastDecisions()
    {
        lock (_gate)
        {
            var last = new Dictionary<(string, string), NotificationLogEntry>();
            foreach (var d in _decisions)
            {
                last[(d.Receiver, d.GroupKey)] = new NotificationLogEntry(
                    d.Firing.ToHashSet(StringComparer.Ordinal), d.Resolved.ToHashSet(StringComparer.Ordinal), d.DecidedAt, d.Sequence);
            }

            return last;
        }
    }

    /// <summary>Sets the spool's gauges on /metrics.</summary>
    public void Publish()
    {
        lock (_gate)
        {
            var messages = _decisions.SelectMany(d => d.Messages).ToList();
            Depth.Set(messages.Count);
            Undelivered.Set(messages.Count(m => m.State == "pending"));
            OldestAge.Set(_decisions.Count == 0 ? 0 : Math.Max(0, (_time.GetUtcNow() - _decisions.Min(d => d.DecidedAt)).TotalSeconds));
            IncidentWrites.Set(_work.Count);
            Bytes.Set(_log?.Length ?? 0);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    private void Replay(SpoolRecord? record)
    {
        if (record?.Decision is { } decision)
        {
            _decisions.Add(decision);
        }
        else if (record?.Work is { } work)
        {
            _work.Add(work);
        }
        else if (record?.Attempt is { } attempt
                 && _decisions.SelectMany(d => d.Messages).FirstOrDefault(m => m.DedupKey == attempt.DedupKey) is { } message)
        {
            Apply(message, attempt);
        }
    }

    private static void Apply(SpooledMessage message, SpooledAttempt attempt)
    {
        message.Attempts = Math.Max(message.Attempts, attempt.Attempt);
        message.History.Add(attempt);
        switch (attempt.Outcome)
        {
            case "delivered":
                message.State = "delivered";
                message.DeliveredAt = attempt.At;
                message.LastError = null;
                break;
            case "retried" when attempt.NextAttemptAt is { } next:
                message.NextAttemptAt = next;
                message.LastError = attempt.Error;
                break;
            default:
                message.State = "failed";
                message.LastError = attempt.Error;
                break;
        }
    }

    /// <summary>Appends and fsyncs one record; when the file would pass its bound it is first compacted. Caller holds the lock.</summary>
    private bool Write(SpoolRecord record)
    {
        if (_log is null)
        {
            Overflow.Inc();
            return false;
        }

        try
        {
            var bytes = record.Encode();
            if (_log.Length + bytes.Length + 8 > _maxBytes)
            {
                Rewrite();
                if (_log.Length + bytes.Length + 8 > _maxBytes)
                {
                    Overflow.Inc();
                    _logger.LogError("The notification spool {File} reached Alerting:Spool:MaxBytes ({Max} bytes); this record is kept in memory only", _path, _maxBytes);
                    return false;
                }
            }

            _log.Append(bytes);
            _log.Flush();
            return true;
        }
        catch (IOException e)
        {
            Overflow.Inc();
            _logger.LogError("Cannot write the notification spool {File} ({Reason}); this record is kept in memory only", _path, e.Message);
            return false;
        }
    }

    /// <summary>Replaces the file by what memory holds (each decision with its delivery state). Caller holds the lock.</summary>
    private void Rewrite()
    {
        if (_log is null)
        {
            return;
        }

        try
        {
            // Oldest first, as many as the bound allows; the rest stays in memory only.
            var records = new List<byte[]>();
            var total = 0L;
            foreach (var record in _decisions.Select(d => new SpoolRecord(Decision: d)).Concat(_work.Select(w => new SpoolRecord(Work: w))))
            {
                var bytes = record.Encode();
                if (total + bytes.Length + 8 <= _maxBytes)
                {
                    records.Add(bytes);
                    total += bytes.Length + 8;
                }
            }

            _log.Rewrite(records);
        }
        catch (IOException e)
        {
            _logger.LogError("Cannot rewrite the notification spool {File}: {Reason}", _path, e.Message);
        }
    }
}
