using Microsoft.Extensions.Logging;
using System.Globalization;
using SloMonitor.Alerting;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.SloAlerts;

/// <summary>
/// Turns each evaluation round into alerts for alerting: one alert per (SLO, group, severity) while the SLO engine
/// reports it active (it already holds an alert for <c>resolveAfter</c>, so flapping does not re-page), and a
/// resolution for every alert sent before that is no longer active.
/// </summary>
internal sealed class SloAlertPublisher(AlertIngestor ingestor, TimeProvider time, PublisherOptions options, ILogger<SloAlertPublisher> logger, AlertAttribution? why = null)
    : ISloEvaluationListener
{
    public const string AlertName = "SloErrorBudgetBurn";
    public const string NoDataAlertName = "SloNoData";
    public const string ExhaustionAlertName = "SloErrorBudgetExhaustion";
    public const string RemainingAlertName = "SloErrorBudgetLow";

    private static readonly string[] AlertNames = [AlertName, NoDataAlertName, ExhaustionAlertName, RemainingAlertName];

    // Alerts sent as firing and not yet resolved, by tenant and identity; touched only by the evaluation loop.
    private readonly Dictionary<string, Dictionary<string, AlertInput>> _firingByTenant = new(StringComparer.Ordinal);

    // In a cluster: the SLOs each tenant's last round decided for, and those that came under this instance since
    // (their owner moved here) whose alerts left firing elsewhere are still to be read.
    private readonly Dictionary<string, IReadOnlySet<string>> _decidedByTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _gainedByTenant = new(StringComparer.Ordinal);

    private bool _recovered;

    public async Task OnEvaluatedAsync(string tenant, IReadOnlyList<SloEvaluation> evaluations, IReadOnlySet<string>? decides, CancellationToken cancellationToken)
    {
        var gained = decides is null ? null : Gained(tenant, decides);
        if (!_recovered || gained is { Count: > 0 })
        {
            // After a restart, what an earlier process left firing is resolved here if it no longer holds; in a
            // cluster, so is what the previous owner of an SLO that moved here left firing. While PostgreSQL is away
            // this waits, and the alerts of this round go out all the same.
            try
            {
                foreach (var alert in await ingestor.ListFiringAsync(AlertNames, cancellationToken))
                {
                    if (!_recovered || (alert.Tenant == tenant && alert.Labels.TryGetValue("slo", out var slo) && gained!.Contains(slo)))
                    {
                        Firing(alert.Tenant).TryAdd(Identity(alert.Labels), alert);
                    }
                }

                _recovered = true;
                gained?.Clear();
            }
            catch (Exception e) when (SloMonitor.Storage.DatabaseErrors.IsUnavailable(e))
            {
                logger.LogDebug("Alerts left firing by an earlier process are read once PostgreSQL answers: {Reason}", e.Message);
            }
        }

        if (decides is not null)
        {
            // Another instance decides for the SLOs not listed: their alerts are its to resolve.
            var firingHere = Firing(tenant);
            foreach (var (key, alert) in firingHere.ToList())
            {
                if (!alert.Labels.TryGetValue("slo", out var slo) || !decides.Contains(slo))
                {
                    firingHere.Remove(key);
                }
            }
        }

        var now = time.GetUtcNow();
        var firing = Firing(tenant);
        var batch = new List<AlertInput>();
        var stillFiring = new HashSet<string>(StringComparer.Ordinal);
        foreach (var evaluation in evaluations)
        {
            foreach (var alert in StrongestPerSeverity(evaluation.ActiveAlerts))
            {
                var input = ToAlert(evaluation, alert) with { Tenant = tenant };
                var key = Identity(input.Labels);
                input = WithWhy(firing, input, key, evaluation, alert, now);
                stillFiring.Add(key);
                firing[key] = input;
                batch.Add(input);
            }
        }

        foreach (var (key, sent) in firing.Where(kv => !stillFiring.Contains(kv.Key)).ToList())
        {
            batch.Add(sent with { EndsAt = now });
            firing.Remove(key);
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await ingestor.SubmitAsync(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next round sends the firing alerts again; resolutions are kept until they are accepted.
            foreach (var resolved in batch.Where(a => a.EndsAt is not null))
            {
                firing.TryAdd(Identity(resolved.Labels), resolved with { EndsAt = null });
            }

            logger.LogError(e, "Could not hand {Count} SLO alerts to alerting; retrying next round", batch.Count);
        }
    }

    /// <summary>The SLOs of <paramref name="decides"/> this instance did not decide for in the tenant's previous round (all of them after its first), with those still to be read.</summary>
    private HashSet<string> Gained(string tenant, IReadOnlySet<string> decides)
    {
        if (!_gainedByTenant.TryGetValue(tenant, out var gained))
        {
            _gainedByTenant[tenant] = gained = new HashSet<string>(StringComparer.Ordinal);
        }

        var previous = _decidedByTenant.GetValueOrDefault(tenant);
        foreach (var slo in decides)
        {
            if (previous is null ? _recovered : !previous.Contains(slo))
            {
                gained.Add(slo);
            }
        }

        gained.IntersectWith(decides);
        _decidedByTenant[tenant] = decides;
        return gained;
    }

    private Dictionary<string, AlertInput> Firing(string tenant)
    {
        if (!_firingByTenant.TryGetValue(tenant, out var firing))
        {
            _firingByTenant[tenant] = firing = new Dictionary<string, AlertInput>(StringComparer.Ordinal);
        }

        return firing;
    }

    internal AlertInput ToAlert(SloEvaluation evaluation, ActiveAlert alert)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in evaluation.Labels)
        {
            labels[Sanitize(key)] = value;
        }

        foreach (var (key, value) in evaluation.GroupLabels)
        {
            labels[Sanitize(key)] = value;
        }

        var noData = alert.Kind == ActiveAlert.NoDataKind;
        labels["alertname"] = alert.Kind switch
        {
            ActiveAlert.NoDataKind => NoDataAlertName,
            ActiveAlert.BudgetExhaustionKind => ExhaustionAlertName,
            ActiveAlert.BudgetRemainingKind => RemainingAlertName,
            _ => AlertName,
        };
        labels["slo"] = evaluation.Name;
        labels["service"] = evaluation.Service;
        labels["severity"] = alert.Severity;

        var link = DashboardLink(evaluation);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = alert.Kind switch
            {
                ActiveAlert.NoDataKind => $"{evaluation.Name}: no data",
                ActiveAlert.BudgetExhaustionKind => $"{evaluation.Name} will run out of error budget within {alert.Within} ({alert.Severity})",
                ActiveAlert.BudgetRemainingKind => string.Create(CultureInfo.InvariantCulture, $"{evaluation.Name} has less than {alert.Threshold:P1} of its error budget left ({alert.Severity})"),
                _ => $"{evaluation.Name} is burning its error budget ({alert.Severity})",
            },
            ["description"] = Describe(evaluation, alert, noData),
            ["dashboard_url"] = link,
        };
        if (alert.Kind is ActiveAlert.BudgetExhaustionKind or ActiveAlert.BudgetRemainingKind)
        {
            // The forecast, machine-readable: the budget left and when it runs out at the current burn rate.
            if ((alert.RemainingRatio ?? evaluation.ErrorBudgetRemainingRatio) is { } ratio)
            {
                annotations["budget_remaining_ratio"] = ratio.ToString("0.######", CultureInfo.InvariantCulture);
            }

            if ((alert.ExhaustsAt ?? evaluation.Status.ErrorBudget.ExhaustsAt) is { } exhaustsAt)
            {
                annotations["budget_exhausts_at"] = exhaustsAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            }
        }

        if (!string.IsNullOrEmpty(evaluation.RunbookUrl))
        {
            annotations["runbook_url"] = evaluation.RunbookUrl;
        }

        if (!string.IsNullOrEmpty(evaluation.DashboardUrl))
        {
            annotations["external_dashboard_url"] = evaluation.DashboardUrl;
        }

        return new AlertInput(labels, annotations, alert.Since, EndsAt: null, GeneratorUrl: link);
    }

    /// <summary>
    /// The alert with what was burning when it first fired (attributions, trace links): taken once, then carried
    /// over from the alert as sent while it stays firing, so that the notification tells the state at firing time.
    /// </summary>
    private AlertInput WithWhy(Dictionary<string, AlertInput> firing, AlertInput input, string key, SloEvaluation evaluation, ActiveAlert alert, DateTimeOffset now)
    {
        if (why is null || alert.Kind == ActiveAlert.NoDataKind)
        {
            return input;
        }

        var annotations = new Dictionary<string, string>(input.Annotations, StringComparer.Ordinal);
        if (firing.TryGetValue(key, out var sent) && sent.Annotations.ContainsKey("debug_url"))
        {
            foreach (var name in AlertAttribution.Keys)
            {
                if (sent.Annotations.TryGetValue(name, out var value))
                {
                    annotations[name] = value;
                }
            }
        }
        else
        {
            why.Annotate(input.Tenant, evaluation, alert, now, DashboardLink(evaluation).Split('?')[0], annotations);
        }

        return input with { Annotations = annotations };
    }

    private static string Describe(SloEvaluation evaluation, ActiveAlert alert, bool noData)
    {
        var budget = evaluation.ErrorBudgetRemainingRatio is { } remaining
            ? string.Create(CultureInfo.InvariantCulture, $"{remaining:P1} of the {evaluation.Definition.Window.Text} error budget remains.")
            : "No error budget figure yet.";
        if (noData)
        {
            return $"{evaluation.Name} ({evaluation.Service}) has received no events. {budget}";
        }

        if (alert.Kind == ActiveAlert.BudgetExhaustionKind)
        {
            var at = alert.ExhaustsAt is { } exhausts ? exhausts.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "soon";
            return string.Create(
                CultureInfo.InvariantCulture,
                $"At the burn rate of the last {alert.ShortWindow} ({alert.LongBurnRate:0.###}) the error budget runs out at {at}, within {alert.Within}. {budget}");
        }

        if (alert.Kind == ActiveAlert.BudgetRemainingKind)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"The remaining error budget is below {alert.Threshold:P1} (burn rate {alert.LongBurnRate:0.###} over {alert.ShortWindow}). {budget}");
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"Burn rate {alert.LongBurnRate:0.###} over {alert.LongWindow} and {alert.ShortBurnRate:0.###} over {alert.ShortWindow} (threshold {alert.Threshold:0.###}) against an objective of {evaluation.Definition.Objective}%. {budget}");
    }

    private string DashboardLink(SloEvaluation evaluation)
    {
        var link = $"{options.ExternalUrl.TrimEnd('/')}/ui/slos/{Uri.EscapeDataString(evaluation.Name)}";
        if (evaluation.GroupLabels.Count == 0)
        {
            return link;
        }

        var group = string.Join(",", evaluation.GroupLabels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        return $"{link}?group={Uri.EscapeDataString(group)}";
    }

    /// <summary>One alert per kind and severity: when several pairs of a severity hold, the one burning fastest.</summary>
    private static IEnumerable<ActiveAlert> StrongestPerSeverity(IReadOnlyList<ActiveAlert> alerts) =>
        alerts.GroupBy(a => (a.Kind, a.Severity))
            .Select(g => g.OrderByDescending(a => a.LongBurnRate / Math.Max(a.Threshold, double.Epsilon)).ThenBy(a => a.Since).First());

    private static string Identity(IReadOnlyDictionary<string, string> labels) =>
        string.Join('\u001f', labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>Alert label names follow Prometheus rules: letters, digits and underscores.</summary>
    private static string Sanitize(string name) =>
        string.Create(name.Length, name, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = char.IsAsciiLetterOrDigit(source[i]) || source[i] == '_' ? source[i] : '_';
            }
        });
}

/// <summary>Where the UI is reachable from the outside, for links in alerts.</summary>
internal sealed record PublisherOptions(string ExternalUrl);
