namespace SloMonitor.Ingest;

/// <summary>Label values of the ingest metrics.</summary>
internal static class Signals
{
    public const string Traces = "traces";
    public const string Metrics = "metrics";
    public const string Logs = "logs";
    public const string Grpc = "grpc";
    public const string Http = "http";
}
