using SloMonitor.Configuration;

namespace SloMonitor.Alerting.Configuration;

/// <summary>
/// The routing file is invalid. <see cref="Errors"/> holds every problem found, each naming the file, the line and
/// the field; the message lists them one a line.
/// </summary>
public sealed class AlertingConfigException : Exception
{
    public AlertingConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public AlertingConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlertingConfigException(string message)
        : base(message)
    {
    }

    public AlertingConfigException()
    {
    }

    /// <summary>Every problem of the file, in the order they were found; empty when the file could not be read at all.</summary>
    public IReadOnlyList<ConfigError> Errors { get; } = [];
}
