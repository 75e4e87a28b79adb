using System.Globalization;
using System.Text.RegularExpressions;

namespace SloMonitor.Alerting.Configuration;

/// <summary>Prometheus-style durations: one or more of <c>number unit</c> with units ms, s, m, h, d, w.</summary>
internal static partial class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            return true;
        }

        var matches = Part().Matches(trimmed);
        var consumed = 0;
        foreach (Match match in matches)
        {
            if (match.Index != consumed)
            {
                return false;
            }

            consumed += match.Length;
            var amount = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
        }

        return consumed == trimmed.Length && consumed > 0;
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds % 1000 != 0
            ? $"{(long)duration.TotalMilliseconds}ms"
            : duration.TotalSeconds % 60 != 0
                ? $"{(long)duration.TotalSeconds}s"
                : duration.TotalMinutes % 60 != 0 ? $"{(long)duration.TotalMinutes}m" : $"{(long)duration.TotalHours}h";

    [GeneratedRegex(@"(\d{1,9})(ms|s|m|h|d|w)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
