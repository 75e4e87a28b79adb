namespace SloMonitor.Slos.Evaluation;

/// <summary>One track's series state (see <see cref="SloEngine.Checkpoint"/>); maps onto a row of <c>slo_state</c>.</summary>
public sealed record SloSeriesCheckpoint(string Slo, string SeriesKey, byte[] State, string Tenant = Storage.Tenants.Default);
