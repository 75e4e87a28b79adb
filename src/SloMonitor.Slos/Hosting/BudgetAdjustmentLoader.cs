using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Hands the stored budget adjustments to their tenants' engines at start-up, and again after every change through the API
/// (<see cref="ReloadAsync"/>). While PostgreSQL does not answer at start-up it tries again every 10 seconds; the
/// SLOs are evaluated without their adjustments until then.
/// </summary>
public sealed class BudgetAdjustmentLoader(BudgetAdjustmentStore store, SloTenants tenants, TimeProvider time, ILogger<BudgetAdjustmentLoader> logger) : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>Reads the adjustments of <paramref name="slo"/> in <paramref name="tenant"/> and puts them in place.</summary>
    public async Task ReloadAsync(string tenant, string slo, CancellationToken cancellationToken)
    {
        var adjustments = await store.ListAsync(tenant, slo, cancellationToken);
        tenants.For(tenant).Engine.SetAdjustments(slo, adjustments.SelectMany(ToRanges));
    }

    /// <summary>The ranges an adjustment takes out: one, or every occurrence of a recurring one.</summary>
    public static IEnumerable<ExcludedRange> ToRanges(BudgetAdjustment adjustment)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        return adjustment.Occurrences().Select(o => new ExcludedRange(o.From.ToUnixTimeMilliseconds(), o.To.ToUnixTimeMilliseconds()) { Selector = adjustment.Selector });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var all = await store.ListAsync(null, null, stoppingToken);
                foreach (var slo in all.GroupBy(a => (a.Tenant, a.Slo)))
                {
                    tenants.For(slo.Key.Tenant).Engine.SetAdjustments(slo.Key.Slo, slo.SelectMany(ToRanges));
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read the budget adjustments; trying again in {Interval}", RetryInterval);
                await Task.Delay(RetryInterval, time, stoppingToken);
            }
        }
    }
}
