using System.Globalization;
using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>The reads of SLO fields beyond the shared ones: durations as SLOs write them (<see cref="DurationText"/>) and latencies.</summary>
internal static class SloFieldReads
{
    public static TimeSpan? Duration(this NodeReader reader, MapNode map, string field, TimeSpan min, TimeSpan max)
    {
        var text = reader.String(map, field);
        if (text is null)
        {
            return null;
        }

        if (!DurationText.TryParse(text, out var value))
        {
            reader.Error(map.Get(field)!, $"expected a duration such as 300ms, 5m, 1h or 30d, found '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            reader.Error(map.Get(field)!, $"must be between {DurationText.Format(min)} and {DurationText.Format(max)}, found '{text}'");
            return null;
        }

        return value;
    }

    /// <summary>A latency: a duration (<c>300ms</c>) or a plain number of seconds.</summary>
    public static double? Seconds(this NodeReader reader, MapNode map, string field, bool required)
    {
        var node = map.Get(field);
        var text = reader.String(map, field, required);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0)
        {
            return seconds;
        }

        if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value.TotalSeconds;
        }

        reader.Error(node!, $"expected a positive duration such as 300ms or a number of seconds, found '{text}'");
        return null;
    }
}
