namespace SloMonitor.Alerting.Configuration;

/// <summary>The routing file is invalid; the message names the file, the line and the field.</summary>
public sealed class AlertingConfigException : Exception
{
    public AlertingConfigException(string message)
        : base(message)
    {
    }

    public AlertingConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlertingConfigException()
    {
    }
}
