namespace SloMonitor.Cluster.Deltas;

/// <summary>What one instance recorded for one SLO between two flushes, in <see cref="DeltaFormat"/>.</summary>
internal sealed record SloDelta(string Slo, byte[] Bytes);

/// <summary>One track of a delta: its series key (checkpoint id / group key) and its state in the checkpoint format.</summary>
internal sealed record DeltaRow(string SeriesKey, byte[] State);
