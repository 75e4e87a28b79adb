using SloMonitor.Configuration;

namespace SloMonitor.Slos.Parsing;

/// <summary>Thrown when a definition does not validate; carries every problem found, not just the first.</summary>
public sealed class SloValidationException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
