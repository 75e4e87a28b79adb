using System.Diagnostics;

namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// The spans alerting emits about its own work: one <c>alert.notification</c> per delivery attempt, with the
/// receiver's name and kind and the outcome, in error unless the receiver took the message. The HTTP call it makes is
/// its child.
/// </summary>
public static class AlertingTelemetry
{
    public const string SourceName = "SloMonitor.Alerting";

    internal static readonly ActivitySource Source = new(SourceName, typeof(AlertingTelemetry).Assembly.GetName().Version?.ToString());
}
