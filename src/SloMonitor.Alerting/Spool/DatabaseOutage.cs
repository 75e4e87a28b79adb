using Microsoft.Extensions.Logging;
using SloMonitor.Storage;

namespace SloMonitor.Alerting.Spool;

/// <summary>
/// Whether alerting counts PostgreSQL as away: set by the first statement that finds it unavailable, cleared by a
/// probe of the alerting loop (at most one every <see cref="ProbeInterval"/>). While it is away, decisions and
/// incident changes go to the local spool without waiting for a connection that will not come.
/// </summary>
internal sealed class DatabaseOutage(TimeProvider time, ILogger<DatabaseOutage> logger)
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private DateTimeOffset? _since;
    private DateTimeOffset _lastProbe = DateTimeOffset.MinValue;

    public bool IsDown
    {
        get
        {
            lock (_gate)
            {
                return _since is not null;
            }
        }
    }

    /// <summary>True (and counts the error as an outage) when <paramref name="e"/> says the database cannot be used now.</summary>
    public bool Caught(Exception e)
    {
        if (!DatabaseErrors.IsUnavailable(e))
        {
            return false;
        }

        lock (_gate)
        {
            if (_since is null)
            {
                _since = time.GetUtcNow();
                _lastProbe = _since.Value;
                logger.LogWarning("PostgreSQL is unavailable ({Reason}); notifications are spooled on local disk and delivered from there", e.Message);
            }
        }

        return true;
    }

    /// <summary>Whether a probe is due now (while down); marks it taken.</summary>
    public bool ProbeDue()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_since is null || now - _lastProbe < ProbeInterval)
            {
                return false;
            }

            _lastProbe = now;
            return true;
        }
    }

    public void MarkUp()
    {
        lock (_gate)
        {
            if (_since is { } since)
            {
                logger.LogInformation("PostgreSQL answers again after {Seconds:0}s; moving the spool into it", (time.GetUtcNow() - since).TotalSeconds);
            }

            _since = null;
        }
    }
}
