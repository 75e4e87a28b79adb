using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Evaluates every tenant's SLOs each <c>Slos:EvaluationInterval</c> (10 s by default) into the engine's published status
/// snapshot, updates /metrics and hands the round to every <see cref="ISloEvaluationListener"/> in turn. A failing
/// round or listener is logged and does not stop the others, the next round or the host. In a cluster
/// (<see cref="SloOwnership"/>) each tenant's round first takes its owners' evaluations, and the listeners hear only of
/// the SLOs this instance owns; when the owners cannot be asked, of none.
/// </summary>
internal sealed class SloEvaluationLoop(
    SloOptions options,
    SloTenants tenants,
    SloMetrics metrics,
    IEnumerable<ISloEvaluationListener> listeners,
    TimeProvider time,
    ILogger<SloEvaluationLoop> logger,
    SloOwnership? ownership = null) : BackgroundService
{
    private readonly ISloEvaluationListener[] _listeners = [.. listeners];
    private readonly SemaphoreSlim _oneRoundAtATime = new(1, 1);

    private DateTimeOffset _memoryEstimatedAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.WatchSnapshotAge(tenants, time);
        using var timer = new PeriodicTimer(options.EvaluationInterval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "SLO evaluation round failed; the next one runs in {Interval}", options.EvaluationInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: evaluate, publish the snapshot and metrics, tell the listeners. Rounds never overlap.</summary>
    internal async Task<IReadOnlyList<SloEvaluation>> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _oneRoundAtATime.WaitAsync(cancellationToken);
        try
        {
            return await RunRoundAsync(cancellationToken);
        }
        finally
        {
            _oneRoundAtATime.Release();
        }
    }

    public override void Dispose()
    {
        _oneRoundAtATime.Dispose();
        base.Dispose();
    }

    private async Task<IReadOnlyList<SloEvaluation>> RunRoundAsync(CancellationToken cancellationToken)
    {
        using var activity = SloTelemetry.Source.StartActivity("slo.evaluation_round");
        var started = time.GetTimestamp();
        var rounds = new List<(SloTenant Tenant, IReadOnlyList<SloEvaluation> Evaluations, IReadOnlySet<string>? Decides)>();
        foreach (var tenant in tenants.All)
        {
            var decides = ownership is null ? null : await OwnersAsync(tenant, cancellationToken);
            rounds.Add((tenant, tenant.Engine.EvaluateRound(), decides));
        }

        metrics.ObserveDuration(time.GetElapsedTime(started));
        activity?.SetTag("slo.count", tenants.Count);
        if (time.GetUtcNow() - _memoryEstimatedAt >= TimeSpan.FromMinutes(1))
        {
            _memoryEstimatedAt = time.GetUtcNow();
            metrics.SetSeriesBytes(tenants.EstimateBytes());
        }

        var all = new List<SloEvaluation>();
        foreach (var (tenant, evaluations, decides) in rounds)
        {
            all.AddRange(evaluations);
            metrics.Update(tenant.Name, evaluations);
            var decided = decides is null ? evaluations : evaluations.Where(e => decides.Contains(e.Name)).ToList();
            foreach (var listener in _listeners)
            {
                try
                {
                    await listener.OnEvaluatedAsync(tenant.Name, decided, decides, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    logger.LogError(e, "SLO evaluation listener {Listener} failed for tenant {Tenant}", listener.GetType().Name, tenant.Name);
                }
            }
        }

        activity?.SetTag("slo.evaluations", all.Count);
        return all;
    }

    /// <summary>The SLOs of the tenant this instance decides for after handing its engine the owners' evaluations; none when that fails.</summary>
    private async Task<IReadOnlySet<string>> OwnersAsync(SloTenant tenant, CancellationToken cancellationToken)
    {
        try
        {
            return await ownership!.BeforeRoundAsync(tenant, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Could not read the SLO owners of tenant {Tenant}; this round decides no alert of theirs", tenant.Name);
            return new HashSet<string>();
        }
    }
}
