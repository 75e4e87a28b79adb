using System.Diagnostics;

namespace SloMonitor.Slos.Hosting;

/// <summary>The spans the SLO engine emits about its own work: evaluation rounds and checkpoints.</summary>
public static class SloTelemetry
{
    public const string SourceName = "SloMonitor.Slos";

    internal static readonly ActivitySource Source = new(SourceName, typeof(SloTelemetry).Assembly.GetName().Version?.ToString());
}
