namespace SloMonitor.Hosting;

/// <summary>Stops start-up with a clear line when a configured SLO or alerting file does not exist.</summary>
internal static class ConfiguredFiles
{
    public static void EnsureExist(IConfiguration configuration)
    {
        var files = configuration.GetSection("Slos:Files").GetChildren().Select(c => (Key: c.Path, Value: c.Value));
        foreach (var (key, value) in files.Append(("Alerting:File", configuration["Alerting:File"])))
        {
            if (string.IsNullOrWhiteSpace(value) || value.IndexOfAny(['*', '?']) >= 0)
            {
                continue;
            }

            if (!File.Exists(value))
            {
                throw new StartupException($"file not found: {value} (configured as {key})");
            }
        }
    }
}
