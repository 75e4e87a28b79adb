using Orleans;

namespace SloMonitor.Cluster.Owners;

/// <summary>
/// The one owner of an SLO's authoritative series in the cluster, keyed <c>tenant/slo</c> (see
/// <see cref="SloOwnerKey"/>). Instances send it, every flush interval, one batch with what they recorded for the SLO.
/// </summary>
public interface ISloOwnerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds one instance's delta to the SLO's series. False, changing nothing, when a batch of that instance with this
    /// sequence or a later one was applied already (a retried flush never counts twice).
    /// </summary>
    Task<bool> Apply(DeltaBatch batch);

    /// <summary>Evaluates the SLO now from its series: state, counts, SLI and burn rate per window, active alerts.</summary>
    Task<SloReading> Read();

    /// <summary>
    /// The owner's last evaluation of the SLO, with the silo that made it: what every instance reads before its rounds.
    /// The owner evaluates every <c>Slos:EvaluationInterval</c> by itself, and at a call when deltas came since its
    /// last one (so that readers see what was flushed; the calls of several instances after one flush share one).
    /// </summary>
    Task<OwnerEvaluation> Evaluation();

    /// <summary>The silo that holds the owner now (its address as Orleans writes it): where an SLO lives, for operators and tests.</summary>
    Task<string> Silo();
}

/// <summary>
/// What one instance recorded for one SLO since its previous batch to this owner: its id (new at every start of the
/// process), a sequence that grows by one per batch, and the delta's bytes.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record DeltaBatch(string InstanceId, long Sequence, byte[] Bytes);

/// <summary>One window of a <see cref="SloReading"/>.</summary>
[GenerateSerializer]
[Immutable]
public sealed record WindowFigures(string Window, long Good, long Total, double? Sli, double? BurnRate);

/// <summary>
/// An owner's answer: the SLO's state, each window's figures, the remaining error budget (a share, null when
/// unknown) and the active alerts as <c>severity long/short</c>. <see cref="Defined"/> is false while the owner's
/// silo does not know the SLO's definition (deltas are kept for when it does).
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record SloReading(bool Defined, string State, WindowFigures[] Windows, double? BudgetRemaining, string[] Alerts);
