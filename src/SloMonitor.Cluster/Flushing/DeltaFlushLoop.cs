using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SloMonitor.Cluster.Flushing;

/// <summary>Runs <see cref="DeltaFlusher.FlushAsync"/> every flush interval, and once more at shutdown.</summary>
internal sealed class DeltaFlushLoop(DeltaFlusher flusher, ClusterSettings settings, TimeProvider time, ILogger<DeltaFlushLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the last flush follows
        }

        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await flusher.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            logger.LogError(e, "flushing deltas to the SLO owners failed");
        }
    }
}
