using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>One tenant's SLOs: its engine (series, evaluation, published status) and its catalog of definitions.</summary>
public sealed record SloTenant(string Name, SloEngine Engine, SloCatalog Catalog);

/// <summary>
/// Every tenant's SLOs, each in an engine of its own, so that nothing one tenant records, defines or reads can reach
/// another's: ingest with a tenant's token records into its engine only, and the API reads the caller's. A tenant's
/// engine is created when it is first named (a stored definition or checkpoint row, a request of its token). The
/// <c>default</c> tenant always exists; SLO files define its SLOs.
/// </summary>
public sealed class SloTenants
{
    private readonly ConcurrentDictionary<string, SloTenant> _tenants = new(StringComparer.Ordinal);
    private readonly Func<string, SloTenant> _create;
    private volatile bool _apiLoaded;

    public SloTenants(TimeProvider time, SloOptions options, ILoggerFactory loggers)
        : this(time, options, loggers, null)
    {
    }

    /// <summary>With <paramref name="defaultEngine"/> as the default tenant's engine (tests build it beforehand).</summary>
    internal SloTenants(TimeProvider time, SloOptions options, ILoggerFactory loggers, SloEngine? defaultEngine)
    {
        var engineOptions = options.ToEngineOptions();
        var catalogLogger = loggers.CreateLogger<SloCatalog>();
        _create = name =>
        {
            var engine = name == Tenants.Default && defaultEngine is not null ? defaultEngine : new SloEngine(time, engineOptions, name);
            var catalog = new SloCatalog(engine, catalogLogger);
            if (_apiLoaded)
            {
                catalog.SetApi([]); // created after the stored definitions loaded: it has none stored
            }

            return new SloTenant(name, engine, catalog);
        };
        Default = For(Tenants.Default);
    }

    /// <summary>The tenant of a single-tenant install, and of the SLO files.</summary>
    public SloTenant Default { get; }

    /// <summary>The tenant named <paramref name="tenant"/>, created empty when it has nothing yet.</summary>
    public SloTenant For(string tenant) => _tenants.GetOrAdd(tenant, _create);

    /// <summary>Every tenant known so far, the default one first, then by name.</summary>
    public IReadOnlyList<SloTenant> All
    {
        get
        {
            var all = _tenants.Values.ToList();
            all.Sort((a, b) => a == Default ? -1 : b == Default ? 1 : string.CompareOrdinal(a.Name, b.Name));
            return all;
        }
    }

    /// <summary>True once every tenant's stored definitions were loaded from PostgreSQL.</summary>
    public bool ApiLoaded => _apiLoaded;

    /// <summary>Gives each tenant its stored definitions (every tenant not named has none) and marks them loaded.</summary>
    public void SetApi(IReadOnlyDictionary<string, List<Definitions.SloDefinition>> byTenant)
    {
        foreach (var (tenant, definitions) in byTenant)
        {
            For(tenant).Catalog.SetApi(definitions);
        }

        _apiLoaded = true;
        foreach (var tenant in All)
        {
            if (!byTenant.ContainsKey(tenant.Name))
            {
                tenant.Catalog.SetApi([]);
            }
        }
    }

    /// <summary>SLOs running in every tenant.</summary>
    public int Count => All.Sum(t => t.Engine.Count);

    /// <summary>Every tenant's series state (see <see cref="SloEngine.Checkpoint"/>).</summary>
    public IReadOnlyList<SloSeriesCheckpoint> Checkpoint() => [.. All.SelectMany(t => t.Engine.Checkpoint())];

    /// <summary>Every tenant's changed series (see <see cref="SloEngine.CheckpointChanged"/>).</summary>
    public IReadOnlyList<SloSeriesCheckpoint> CheckpointChanged() => [.. All.SelectMany(t => t.Engine.CheckpointChanged())];

    /// <summary>The rows every tenant keeps for SLOs not created yet.</summary>
    public IReadOnlyList<SloSeriesCheckpoint> LaterRestores() => [.. All.SelectMany(t => t.Engine.LaterRestores())];

    /// <summary>Restores each row into its tenant's engine (see <see cref="SloEngine.Restore"/>).</summary>
    public int Restore(IEnumerable<SloSeriesCheckpoint> checkpoints) =>
        checkpoints.GroupBy(c => c.Tenant, StringComparer.Ordinal).Sum(rows => For(rows.Key).Engine.Restore(rows));

    /// <summary>Adds each late row into its tenant's engine (see <see cref="SloEngine.Merge"/>).</summary>
    public int Merge(IEnumerable<SloSeriesCheckpoint> checkpoints) =>
        checkpoints.GroupBy(c => c.Tenant, StringComparer.Ordinal).Sum(rows => For(rows.Key).Engine.Merge(rows));

    /// <summary>Forgets, in every tenant, the rows kept for SLOs that were never created.</summary>
    public void DropLaterRestores()
    {
        foreach (var tenant in All)
        {
            tenant.Engine.DropLaterRestores();
        }
    }

    /// <summary>An estimate of the memory every tenant's series hold, in bytes.</summary>
    public long EstimateBytes() => All.Sum(t => t.Engine.EstimateBytes());
}
