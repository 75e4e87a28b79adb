using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SloMonitor.Alerting.Receivers;

/// <summary>Helpers to write request bodies exactly as the receivers expect them.</summary>
internal static class JsonBody
{
    /// <summary>RFC 3339 in UTC with milliseconds, as Alertmanager and PagerDuty read it.</summary>
    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Go's zero time, which Alertmanager's webhook sends as endsAt of a firing alert.</summary>
    public const string ZeroTime = "0001-01-01T00:00:00Z";

    public static void WriteMap(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, string>> map)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    public static HttpContent Content(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        var content = new ByteArrayContent(stream.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        return content;
    }

    /// <summary>Labels (or annotations) every alert shares with the same value.</summary>
    public static Dictionary<string, string> Common(IReadOnlyList<IReadOnlyDictionary<string, string>> maps)
    {
        var common = new Dictionary<string, string>(StringComparer.Ordinal);
        if (maps.Count == 0)
        {
            return common;
        }

        foreach (var (key, value) in maps[0])
        {
            if (maps.All(m => m.TryGetValue(key, out var other) && other == value))
            {
                common[key] = value;
            }
        }

        return common;
    }
}
