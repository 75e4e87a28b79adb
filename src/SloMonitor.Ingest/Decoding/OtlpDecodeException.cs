namespace SloMonitor.Ingest;

/// <summary>A malformed export request: nothing of it is applied; the message says what is wrong.</summary>
internal sealed class OtlpDecodeException(string message) : Exception(message);
