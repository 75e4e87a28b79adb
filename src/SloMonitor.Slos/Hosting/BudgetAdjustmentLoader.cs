using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Hands the stored budget adjustments to their tenants' engines at start-up, and again after every change through the API
/// (<see cref="ReloadAsync"/>). While PostgreSQL does not answer at start-up it tries again every 10 seconds; the
/// SLOs are evaluated without their adjustments until then. Afterwards it checks every <c>Slos:FileCheckInterval</c>
/// whether another instance on the same database added or deleted one, and then reads them all again.
/// </summary>
public sealed class BudgetAdjustmentLoader(BudgetAdjustmentStore store, SloTenants tenants, SloOptions options, TimeProvider time, ILogger<BudgetAdjustmentLoader> logger) : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    private readonly HashSet<(string Tenant, string Slo)> _adjusted = [];
    private (long? NewestId, long Active)? _version;

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
                await LoadIfChangedAsync(stoppingToken);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read the budget adjustments; trying again in {Interval}", RetryInterval);
                await Task.Delay(RetryInterval, time, stoppingToken);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.FileCheckInterval, time, stoppingToken);
            try
            {
                await LoadIfChangedAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogDebug("Budget adjustments are checked for changes again once PostgreSQL answers: {Reason}", e.Message);
            }
        }
    }

    /// <summary>Reads every adjustment again when the store's version moved, and puts them in place (none for SLOs that lost theirs).</summary>
    private async Task LoadIfChangedAsync(CancellationToken cancellationToken)
    {
        var version = await store.VersionAsync(cancellationToken);
        if (version == _version)
        {
            return;
        }

        var all = await store.ListAsync(null, null, cancellationToken);
        var now = new HashSet<(string Tenant, string Slo)>();
        foreach (var slo in all.GroupBy(a => (a.Tenant, a.Slo)))
        {
            tenants.For(slo.Key.Tenant).Engine.SetAdjustments(slo.Key.Slo, slo.SelectMany(ToRanges));
            now.Add(slo.Key);
        }

        foreach (var (tenant, slo) in _adjusted.Where(key => !now.Contains(key)))
        {
            tenants.For(tenant).Engine.SetAdjustments(slo, []);
        }

        _adjusted.Clear();
        _adjusted.UnionWith(now);
        _version = version;
    }
}
