namespace SloMonitor.Alerting.Muting;

/// <summary>A new silence would take its tenant past <c>Alerting:MaxSilencesPerTenant</c>; the message names the cap.</summary>
public sealed class SilenceLimitException(string message) : Exception(message);
