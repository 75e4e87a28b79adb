namespace SloMonitor.Slos.Parsing;

/// <summary>
/// One problem in a definition. <see cref="Location"/> is <c>file:line:column</c> for files and empty for JSON
/// bodies, whose <see cref="Field"/> is the JSON path (<c>$.sli.threshold</c>).
/// </summary>
public sealed record SloValidationError(string Location, string Field, string Message)
{
    public override string ToString() =>
        Location.Length == 0 ? $"{Field}: {Message}" : Field.Length == 0 ? $"{Location}: {Message}" : $"{Location}: {Field}: {Message}";
}

/// <summary>Thrown when a definition does not validate; carries every problem found, not just the first.</summary>
public sealed class SloValidationException(IReadOnlyList<SloValidationError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<SloValidationError> Errors { get; } = errors;
}
