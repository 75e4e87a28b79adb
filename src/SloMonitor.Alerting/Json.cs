using System.Text.Json;

namespace SloMonitor.Alerting;

internal static class Json
{
    public static IReadOnlyDictionary<string, string> ReadMap(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>();
}
