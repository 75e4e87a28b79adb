using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Configuration;

namespace SloMonitor.Alerting.Muting;

/// <summary>Why an alert sends nothing: a silence, a maintenance window, or an inhibiting alert.</summary>
internal sealed record MuteReason(string TimelineKind, string Key, IReadOnlyDictionary<string, string> Details);

/// <summary>
/// Everything muting one alert at one moment, as Alertmanager's API reports it: the silences (by id), the firing
/// alerts inhibiting it (by fingerprint) and the maintenance windows open over it (by name).
/// </summary>
internal sealed record AlertMutes(IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy, IReadOnlyList<string> MutedBy)
{
    public bool IsMuted => SilencedBy.Count > 0 || InhibitedBy.Count > 0 || MutedBy.Count > 0;
}

/// <summary>
/// Decides, for one moment, which alerts are silenced (by a silence or a maintenance window) or inhibited (by a
/// firing source alert of an inhibition rule), each within the alert's tenant: a silence, a maintenance window or an
/// inhibition rule of one tenant never mutes another's alert. Silences are cached and reloaded when one is written or every
/// <see cref="ReloadInterval"/>.
/// </summary>
internal sealed class MuteEvaluator(SilenceStore silences, AlertingConfig config, TimeProvider time)
{
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(10);

    private IReadOnlyList<Silence> _silences = [];
    private long _loadedGeneration = -1;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var generation = silences.Generation;
        if (generation == _loadedGeneration && now - _loadedAt < ReloadInterval)
        {
            return;
        }

        _silences = await silences.NotExpiredAsync(cancellationToken);
        _loadedGeneration = generation;
        _loadedAt = now;
    }

    /// <summary>The firing alerts among <paramref name="alerts"/>, indexed for their tenant's inhibition rules.</summary>
    public InhibitionIndex Index(IEnumerable<Alert> alerts, DateTimeOffset now) =>
        new(tenant => config.For(tenant).InhibitRules, alerts.Where(a => !a.IsResolvedAt(now)));

    /// <summary>Mute reasons by fingerprint for the given alerts; alerts absent from the result are not muted.</summary>
    public Dictionary<string, MuteReason> Evaluate(IReadOnlyCollection<Alert> alerts, DateTimeOffset now)
    {
        var result = new Dictionary<string, MuteReason>(StringComparer.Ordinal);
        var index = Index(alerts, now);
        foreach (var alert in alerts)
        {
            if (Silenced(alert, now) is { } silenced)
            {
                result[alert.Fingerprint] = silenced;
                continue;
            }

            if (index.SourcesOf(alert) is [var inhibitor, ..])
            {
                result[alert.Fingerprint] = new MuteReason("inhibited", "inhibited-by:" + inhibitor.Source.Fingerprint, new Dictionary<string, string>
                {
                    ["reason"] = "inhibited by a firing alert",
                    ["sourceFingerprint"] = inhibitor.Source.Fingerprint,
                    ["sourceAlertname"] = inhibitor.Source.Label("alertname") ?? string.Empty,
                    ["rule"] = inhibitor.Rule.ToString(),
                });
            }
        }

        return result;
    }

    /// <summary>All that mutes <paramref name="alert"/> now, given the silences not yet expired.</summary>
    public AlertMutes Explain(Alert alert, InhibitionIndex index, IReadOnlyList<Silence> notExpired, DateTimeOffset now) =>
        new(
            notExpired.Where(s => s.Mutes(alert, now)).Select(s => s.Id.ToString()).ToList(),
            index.SourcesOf(alert).Select(s => s.Source.Fingerprint).ToList(),
            config.For(alert.Tenant).MaintenanceWindows.Where(w => w.IsActive(now) && Routing.Matcher.MatchesAll(w.Matchers, alert.Labels)).Select(w => w.Name).ToList());

    private MuteReason? Silenced(Alert alert, DateTimeOffset now)
    {
        foreach (var silence in _silences)
        {
            if (silence.Mutes(alert, now))
            {
                return new MuteReason("silenced", "silence:" + silence.Id, new Dictionary<string, string>
                {
                    ["reason"] = "silence",
                    ["silenceId"] = silence.Id.ToString(),
                    ["createdBy"] = silence.CreatedBy,
                    ["comment"] = silence.Comment,
                    ["endsAt"] = silence.EndsAt.ToString("O"),
                });
            }
        }

        foreach (var window in config.For(alert.Tenant).MaintenanceWindows)
        {
            if (window.IsActive(now) && Routing.Matcher.MatchesAll(window.Matchers, alert.Labels))
            {
                return new MuteReason("silenced", "maintenance:" + window.Name, new Dictionary<string, string>
                {
                    ["reason"] = "maintenance window",
                    ["maintenanceWindow"] = window.Name,
                });
            }
        }

        return null;
    }
}
