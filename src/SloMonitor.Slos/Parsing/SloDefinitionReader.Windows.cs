using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>The SLO windows: <c>window</c> or <c>windows</c>, and the <c>timeZone</c> of a calendar month.</summary>
internal static partial class SloDefinitionReader
{
    /// <summary>
    /// <c>window: 28d</c>, or <c>windows: [7d, 28d, 90d]</c> whose first entry drives alerting; 30 days when neither
    /// is given. Null after an error.
    /// </summary>
    private static List<SloWindow>? ReadWindows(MapNode map, NodeReader reader)
    {
        var zoneName = reader.String(map, "timeZone");
        if (map.Get("windows") is { } listNode and not ScalarNode { Value: null })
        {
            if (map.Get("window") is { } single and not ScalarNode { Value: null })
            {
                reader.Error(single, "give either 'window' or 'windows', not both");
                return null;
            }

            if (listNode is not SequenceNode { Items.Count: > 0 } sequence)
            {
                reader.Error(listNode, $"expected a non-empty list of windows such as [7d, 28d, 90d], found {listNode.Describe}");
                return null;
            }

            var windows = new List<SloWindow>();
            var failed = false;
            foreach (var item in sequence.Items)
            {
                var text = item is ScalarNode { Value: { } value } ? value : null;
                var window = text is null ? null : ReadWindow(text, item, zoneName, map, reader);
                if (text is null)
                {
                    reader.Error(item, $"expected a window such as 30d or month, found {item.Describe}");
                }

                if (window is null)
                {
                    failed = true;
                }
                else if (windows.Exists(w => w.Text == window.Text))
                {
                    reader.Error(item, $"'{window.Text}' is listed twice");
                    failed = true;
                }
                else
                {
                    windows.Add(window);
                }
            }

            CheckTimeZoneUse(windows, zoneName, map, reader);
            return failed ? null : windows;
        }

        var windowText = reader.String(map, "window") ?? "30d";
        var only = ReadWindow(windowText, map.Get("window") ?? map, zoneName, map, reader);
        if (only is null)
        {
            return null;
        }

        CheckTimeZoneUse([only], zoneName, map, reader);
        return [only];
    }

    private static SloWindow? ReadWindow(string text, ConfigNode node, string? zoneName, MapNode map, NodeReader reader)
    {
        if (text == SloWindow.MonthText)
        {
            try
            {
                return SloWindow.CalendarMonth(zoneName is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zoneName));
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                reader.Error(map.Get("timeZone")!, $"unknown time zone '{zoneName}' (use an IANA name such as Europe/Paris)");
                return null;
            }
        }

        if (!DurationText.TryParse(text, out var length))
        {
            reader.Error(node, $"expected a duration such as 7d, 28d or 30d, or 'month', found '{text}'");
            return null;
        }

        if (length < TimeSpan.FromHours(1) || length > TimeSpan.FromDays(400))
        {
            reader.Error(node, $"must be between 1h and 400d, found '{text}'");
            return null;
        }

        return SloWindow.RollingFor(length);
    }

    private static void CheckTimeZoneUse(List<SloWindow> windows, string? zoneName, MapNode map, NodeReader reader)
    {
        if (zoneName is not null && !windows.Exists(w => w.IsCalendarMonth))
        {
            reader.Error(map.Get("timeZone")!, "applies only to a 'month' window");
        }
    }
}
