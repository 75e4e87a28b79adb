using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// The outcome of evaluating one SLO, or one group of an SLO with <c>groupBy</c> (then <see cref="GroupLabels"/>
/// holds the group's attribute values; it is empty otherwise).
/// </summary>
public sealed record SloEvaluation(SloDefinition Definition, IReadOnlyDictionary<string, string> GroupLabels, SloStatus Status)
{
    public string Name => Definition.Name;

    public string Service => Definition.Service;

    public IReadOnlyDictionary<string, string> Labels => Definition.Labels;

    public string? RunbookUrl => Definition.RunbookUrl;

    public string? DashboardUrl => Definition.DashboardUrl;

    /// <summary>ok, ticket, page or nodata.</summary>
    public string State => Status.State;

    /// <summary>The share of the error budget left (negative once overspent); null without data.</summary>
    public double? ErrorBudgetRemainingRatio => Status.ErrorBudget.RemainingRatio;

    public IReadOnlyList<ActiveAlert> ActiveAlerts => Status.Alerts;

    public DateTimeOffset EvaluatedAt => Status.EvaluatedAt;
}

/// <summary>Told about every evaluation round, in order, one tenant's evaluations at a time; alerting's publisher is one.</summary>
public interface ISloEvaluationListener
{
    /// <summary>
    /// One tenant's round: the evaluations of the SLOs whose alerts this instance decides, and their names in
    /// <paramref name="decides"/>; null when it decides for every SLO of the tenant (a single process). In a cluster
    /// another instance decides for the others, which are not in the round.
    /// </summary>
    Task OnEvaluatedAsync(string tenant, IReadOnlyList<SloEvaluation> evaluations, IReadOnlySet<string>? decides, CancellationToken cancellationToken);
}
