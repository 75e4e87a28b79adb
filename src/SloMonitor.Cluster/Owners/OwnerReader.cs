using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Prometheus;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Cluster.Owners;

/// <summary>
/// Before each round of a tenant, asks the owner of each of its SLOs for its last evaluation and hands them to the
/// tenant's engine, which publishes them: every instance then answers the API, the UI and <c>/metrics</c> for every
/// SLO with the owner's figures. Answers the SLOs whose owner this silo holds: the only ones whose alerts it decides.
/// An owner that does not answer within the evaluation interval is left out of this round (its last answer stays
/// in use for two more intervals).
/// </summary>
/// <remarks>Composite SLOs have no owner yet: each instance evaluates them from its own parts and decides for none.</remarks>
internal sealed class OwnerReader(IGrainFactory grains, ILocalSiloDetails silo, SloOptions options, ClusterSettings settings, ILogger<OwnerReader> logger)
{
    private static readonly Counter Reads = Metrics.CreateCounter(
        "slomon_cluster_owner_reads_total",
        "Evaluations this instance asked of SLO owners before its rounds, by outcome (ok; undefined: the owner's silo does not know the SLO yet; failed).",
        "outcome");

    private static readonly IReadOnlyDictionary<string, string> NoGroup = ImmutableSortedDictionary<string, string>.Empty;

    public async Task<IReadOnlySet<string>> BeforeRoundAsync(SloTenant tenant, CancellationToken cancellationToken)
    {
        var engine = tenant.Engine;
        var here = silo.SiloAddress.ToString();
        var interval = options.EvaluationInterval;
        var freshUntil = engine.Time.GetUtcNow() + 3 * interval;
        var decides = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var failed = 0;
        Exception? firstFailure = null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.OwnerReadConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(engine.Definitions, parallel, async (definition, ct) =>
        {
            if (definition.Sli.Kind == SliKind.Composite)
            {
                return;
            }

            OwnerEvaluation answer;
            try
            {
                answer = await grains.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(tenant.Name, definition.Name)).Evaluation().WaitAsync(interval, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Reads.WithLabels("failed").Inc();
                if (Interlocked.Increment(ref failed) == 1)
                {
                    firstFailure = e;
                }

                return;
            }

            if (!answer.Defined || answer.Overall is null)
            {
                Reads.WithLabels("undefined").Inc();
                return;
            }

            Reads.WithLabels("ok").Inc();
            var overall = new SloEvaluation(definition, NoGroup, answer.Overall.ToStatus());
            var groups = Array.ConvertAll(answer.Groups, g => new SloEvaluation(definition, g.Labels(), g.Status.ToStatus()));
            if (engine.UseOwnerEvaluation(overall, groups, freshUntil) && answer.Silo == here)
            {
                decides[definition.Name] = true;
            }
        });

        if (failed > 0)
        {
            logger.LogWarning(firstFailure, "{Count} SLO owners of tenant {Tenant} did not answer this round; their last figures stay in use", failed, tenant.Name);
        }

        return decides.Keys.ToHashSet(StringComparer.Ordinal);
    }
}
