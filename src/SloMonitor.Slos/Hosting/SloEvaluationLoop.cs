using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Evaluates every SLO each <c>Slos:EvaluationInterval</c> (10 s by default), updates /metrics and hands the
/// round to every <see cref="ISloEvaluationListener"/> in turn. A failing listener is logged and does not stop
/// the others or the next round.
/// </summary>
internal sealed class SloEvaluationLoop(
    SloOptions options,
    SloEngine engine,
    SloMetrics metrics,
    IEnumerable<ISloEvaluationListener> listeners,
    TimeProvider time,
    ILogger<SloEvaluationLoop> logger) : BackgroundService
{
    private readonly ISloEvaluationListener[] _listeners = [.. listeners];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.EvaluationInterval, time);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: evaluate, publish metrics, tell the listeners.</summary>
    internal async Task<IReadOnlyList<SloEvaluation>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var evaluations = engine.EvaluateAll();
        metrics.ObserveDuration(time.GetElapsedTime(started));
        metrics.Update(evaluations);
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnEvaluatedAsync(evaluations, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogError(e, "SLO evaluation listener {Listener} failed", listener.GetType().Name);
            }
        }

        return evaluations;
    }
}
