namespace SloMonitor.Hosting;

/// <summary>A configuration or environment problem that stops start-up; its message is the one log line shown.</summary>
internal sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
