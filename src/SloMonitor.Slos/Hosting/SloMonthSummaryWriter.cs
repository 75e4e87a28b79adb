using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Reports;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Every <c>Slos:MonthSummaryInterval</c> (10 min) and at shutdown, stores each tenant's SLOs' report rows of the UTC month so
/// far, and during the first day of a month also the whole month before (its late events included), so that the
/// report of any past month can still be given once the series no longer reach back to it. A database that is away
/// only delays the next write.
/// </summary>
internal sealed class SloMonthSummaryWriter(SloOptions options, SloTenants tenants, SloMonthSummaryStore store, TimeProvider time, ILogger<SloMonthSummaryWriter> logger)
    : BackgroundService
{
    /// <summary>How long after a month ends its summary is still rewritten.</summary>
    public static readonly TimeSpan LateData = TimeSpan.FromDays(1);

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var month = MonthlyReport.MonthOf(now);
        foreach (var tenant in tenants.All)
        {
            var engine = tenant.Engine;
            var rows = engine.Report(month, now).Select(r => MonthlyReport.ToSummary(r, month)).ToList();
            if (now - month < LateData)
            {
                var before = month.AddMonths(-1);
                rows.AddRange(engine.Report(before, month).Select(r => MonthlyReport.ToSummary(r, before)));
            }

            await store.SaveAsync(tenant.Name, rows, now, cancellationToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (options.MonthSummaryInterval > TimeSpan.Zero)
        {
            await TryWriteAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.MonthSummaryInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.MonthSummaryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryWriteAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TryWriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            logger.LogWarning("Cannot store the monthly SLO summaries ({Reason}); retrying in {Interval}", e.Message, options.MonthSummaryInterval);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The monthly SLO summaries were not stored: stopping took too long");
        }
    }
}
