using System.Globalization;
using System.Text.Json;

namespace SloMonitor.Slos.Cli;

/// <summary>
/// Prints the answer of a bulk apply as a diff, one block per SLO that is created (<c>+</c>), changed (<c>~</c>,
/// old values <c>-</c>, new ones <c>+</c>) or deleted (<c>-</c>), on standard output; invalid and refused SLOs
/// (<c>x</c>) with their located errors on standard error; unchanged SLOs only in the closing count.
/// </summary>
internal static class SloDiffPrinter
{
    public static void Print(JsonElement answer, TextWriter stdout, TextWriter stderr)
    {
        foreach (var slo in answer.GetProperty("slos").EnumerateArray())
        {
            var name = slo.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var location = slo.TryGetProperty("location", out var l) ? l.GetString() : null;
            var where = location is null ? "" : $" ({location})";
            switch (slo.GetProperty("action").GetString())
            {
                case "created":
                    stdout.WriteLine($"+ {name}: created{where}");
                    Changes(slo, stdout, from: false, to: true);
                    break;
                case "changed":
                    stdout.WriteLine($"~ {name}: changed{where}");
                    Changes(slo, stdout, from: true, to: true);
                    if (slo.TryGetProperty("historyRestarts", out var restarts) && restarts.GetBoolean())
                    {
                        stdout.WriteLine("!     its history restarts: the SLI, grouping or window changed, so its SLI series start empty");
                    }

                    break;
                case "deleted":
                    stdout.WriteLine($"- {name}: deleted{where}");
                    Changes(slo, stdout, from: true, to: false);
                    break;
                case "invalid":
                    stderr.WriteLine($"x {name ?? location}: invalid");
                    foreach (var error in slo.TryGetProperty("errors", out var errors) ? errors.EnumerateArray() : default)
                    {
                        var at = error.GetProperty("location").GetString();
                        var field = error.GetProperty("field").GetString();
                        var prefix = string.Join(": ", new[] { at, field }.Where(p => !string.IsNullOrEmpty(p)));
                        stderr.WriteLine($"    {prefix}: {error.GetProperty("message").GetString()}");
                    }

                    break;
                case "refused":
                    stderr.WriteLine($"x {name}: refused{where}: {slo.GetProperty("reason").GetString()}");
                    break;
            }
        }

        var summary = answer.GetProperty("summary");
        int Count(string action) => summary.GetProperty(action).GetInt32();
        if (Count("invalid") + Count("refused") > 0)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Count("invalid")} invalid, {Count("refused")} refused: nothing was applied"));
        }
        else if (answer.GetProperty("dryRun").GetBoolean())
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dry run: {Count("created")} to create, {Count("changed")} to change, {Count("deleted")} to delete, {Count("unchanged")} unchanged; nothing was applied"));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"applied: {Count("created")} created, {Count("changed")} changed, {Count("deleted")} deleted, {Count("unchanged")} unchanged"));
        }
    }

    private static void Changes(JsonElement slo, TextWriter stdout, bool from, bool to)
    {
        if (!slo.TryGetProperty("changes", out var changes))
        {
            return;
        }

        foreach (var change in changes.EnumerateArray())
        {
            var field = change.GetProperty("field").GetString();
            if (from && change.GetProperty("from") is { ValueKind: not JsonValueKind.Null } old)
            {
                stdout.WriteLine($"-     {field}: {Text(old)}");
            }

            if (to && change.GetProperty("to") is { ValueKind: not JsonValueKind.Null } value)
            {
                stdout.WriteLine($"+     {field}: {Text(value)}");
            }
        }
    }

    /// <summary>Strings as they are, unless they would read as a number, a boolean or nothing; other values as JSON.</summary>
    private static string Text(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value.GetRawText();
        }

        var text = value.GetString()!;
        var ambiguous = text.Length == 0 || text.Trim() != text || text is "true" or "false" or "null"
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return ambiguous ? value.GetRawText() : text;
    }
}
