namespace SloMonitor.Configuration;

/// <summary>
/// One problem in a configuration file or body. <see cref="Location"/> is <c>file:line:column</c> for files and
/// empty for JSON bodies, whose <see cref="Field"/> is the JSON path (<c>$.sli.threshold</c>).
/// </summary>
public sealed record ConfigError(string Location, string Field, string Message)
{
    public override string ToString() =>
        Location.Length == 0 ? $"{Field}: {Message}" : Field.Length == 0 ? $"{Location}: {Message}" : $"{Location}: {Field}: {Message}";
}
