namespace SloMonitor.Slos.Hosting;

/// <summary>
/// In a cluster, what the evaluation loop runs before each tenant's round: it hands the tenant's engine its SLO owners'
/// evaluations (<see cref="Evaluation.SloEngine.UseOwnerEvaluation"/>) and answers the names of the SLOs whose alerts
/// this instance decides: those whose owner it holds. The round's listeners hear of those SLOs only. Without it (a
/// single process) the instance decides for every SLO.
/// </summary>
public sealed class SloOwnership(Func<SloTenant, CancellationToken, Task<IReadOnlySet<string>>> beforeRound)
{
    public Task<IReadOnlySet<string>> BeforeRoundAsync(SloTenant tenant, CancellationToken cancellationToken) => beforeRound(tenant, cancellationToken);
}
