namespace SloMonitor.Slos.Cli;

/// <summary>
/// The arguments of one command: options with values (<c>-f dir</c>, <c>--server=URL</c>), flags
/// (<c>--dry-run</c>) and the rest in order. Unknown options and missing values are errors, so that a typo in a CI
/// script fails instead of being ignored.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArguments()
    {
    }

    public List<string> Positional { get; } = [];

    /// <summary>What is wrong with the arguments, or null.</summary>
    public string? Error { get; private set; }

    /// <param name="args">The arguments after the command name.</param>
    /// <param name="valueOptions">Options that take a value, each with its aliases: <c>["--filename", "-f"]</c>.</param>
    /// <param name="flags">Options without a value.</param>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyList<string[]> valueOptions, IReadOnlyList<string> flags)
    {
        var parsed = new CliArguments();
        string? Canonical(string name) => valueOptions.FirstOrDefault(o => o.Contains(name, StringComparer.Ordinal))?[0];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "-" || !arg.StartsWith('-'))
            {
                parsed.Positional.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (flags.Contains(name, StringComparer.Ordinal) && equals < 0)
            {
                parsed._flags.Add(name);
                continue;
            }

            if (Canonical(name) is not { } option)
            {
                parsed.Error ??= $"unknown option '{name}'";
                continue;
            }

            string? value = equals > 0 ? arg[(equals + 1)..] : i + 1 < args.Count ? args[++i] : null;
            if (string.IsNullOrEmpty(value))
            {
                parsed.Error ??= $"option '{name}' needs a value";
                continue;
            }

            if (!parsed._values.TryGetValue(option, out var list))
            {
                parsed._values[option] = list = [];
            }

            list.Add(value);
        }

        return parsed;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public IReadOnlyList<string> All(string option) => _values.TryGetValue(option, out var list) ? list : [];

    /// <summary>The value of an option given at most once; the last one wins when repeated.</summary>
    public string? Value(string option) => _values.TryGetValue(option, out var list) ? list[^1] : null;
}
