using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Configuration;

namespace SloMonitor.Alerting.Muting;

/// <summary>Why an alert sends nothing: a silence, a maintenance window, or an inhibiting alert.</summary>
internal sealed record MuteReason(string TimelineKind, string Key, IReadOnlyDictionary<string, string> Details);

/// <summary>
/// Decides, for one moment, which alerts are silenced (by a silence or a maintenance window) or inhibited (by a
/// firing source alert of an inhibition rule). Silences are cached and reloaded when one is written or every
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

    /// <summary>Mute reasons by fingerprint for the given alerts; alerts absent from the result are not muted.</summary>
    public Dictionary<string, MuteReason> Evaluate(IReadOnlyCollection<Alert> alerts, DateTimeOffset now)
    {
        var result = new Dictionary<string, MuteReason>(StringComparer.Ordinal);
        var sourcesByRule = config.InhibitRules
            .Select(rule => alerts.Where(a => !a.IsResolvedAt(now) && Routing.Matcher.MatchesAll(rule.SourceMatchers, a.Labels)).ToList())
            .ToList();

        foreach (var alert in alerts)
        {
            if (Silenced(alert, now) is { } silenced)
            {
                result[alert.Fingerprint] = silenced;
                continue;
            }

            for (var i = 0; i < config.InhibitRules.Count; i++)
            {
                var rule = config.InhibitRules[i];
                if (!Routing.Matcher.MatchesAll(rule.TargetMatchers, alert.Labels))
                {
                    continue;
                }

                var source = sourcesByRule[i].FirstOrDefault(s => s.Fingerprint != alert.Fingerprint && rule.SameEqualLabels(s.Labels, alert.Labels));
                if (source is not null)
                {
                    result[alert.Fingerprint] = new MuteReason("inhibited", "inhibited-by:" + source.Fingerprint, new Dictionary<string, string>
                    {
                        ["reason"] = "inhibited by a firing alert",
                        ["sourceFingerprint"] = source.Fingerprint,
                        ["sourceAlertname"] = source.Label("alertname") ?? string.Empty,
                        ["rule"] = rule.ToString(),
                    });
                    break;
                }
            }
        }

        return result;
    }

    private MuteReason? Silenced(Alert alert, DateTimeOffset now)
    {
        foreach (var silence in _silences)
        {
            if (silence.Mutes(alert.Labels, now))
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

        foreach (var window in config.MaintenanceWindows)
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
