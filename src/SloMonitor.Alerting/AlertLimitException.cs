namespace SloMonitor.Alerting;

/// <summary>A batch of alerts would take its tenant past <c>Alerting:MaxAlertsPerTenant</c>; the message names the cap.</summary>
public sealed class AlertLimitException(string message) : Exception(message);
