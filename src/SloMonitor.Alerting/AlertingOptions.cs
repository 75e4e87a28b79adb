using System.Globalization;
using Microsoft.Extensions.Configuration;
using SloMonitor.Alerting.Configuration;

namespace SloMonitor.Alerting;

/// <summary>
/// The <c>Alerting</c> configuration section. Durations accept <c>30s</c>/<c>5m</c> or <c>hh:mm:ss</c>.
/// </summary>
public sealed class AlertingOptions
{
    /// <summary>Path of the routing YAML file; without one, incidents are kept and nothing is sent.</summary>
    public string? File { get; init; }

    /// <summary>Base URL of the web UI, sent as <c>externalURL</c> in webhook messages.</summary>
    public string? ExternalUrl { get; init; }

    /// <summary>How often groups are flushed, the outbox is polled and ack timeouts are checked.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An external alert without endsAt resolves this long after it was last received.</summary>
    public TimeSpan ExternalResolveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Expired silences are listed for this long after they ended (Alertmanager's default retention, 5 days).</summary>
    public TimeSpan ExpiredSilenceRetention { get; init; } = TimeSpan.FromDays(5);

    /// <summary>The most silences not yet expired (active or pending) one tenant may hold; 0 for no limit.</summary>
    public int MaxSilencesPerTenant { get; init; } = 1000;

    /// <summary>The most alerts one tenant may have firing at once when posting more through <c>POST /api/v2/alerts</c>; 0 for no limit.</summary>
    public int MaxAlertsPerTenant { get; init; } = 10_000;

    /// <summary>Time limit of one delivery attempt, unless the receiver sets its own <c>timeout</c>.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A notification not delivered this long after it was decided is given up (independent of groupInterval).</summary>
    public TimeSpan DeliveryDeadline { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries in flight at once, across receivers.</summary>
    public int MaxConcurrentDeliveries { get; init; } = 16;

    /// <summary>
    /// The local spool of notifications decided and incident changes made while PostgreSQL is away; by default
    /// <c>notification-spool.log</c> in the data directory (beside the SLI checkpoint journal).
    /// </summary>
    public string SpoolFile { get; init; } = Path.Combine(".data", "notification-spool.log");

    /// <summary>The most the spool file may hold; past it, records are kept in memory only.</summary>
    public long SpoolMaxBytes { get; init; } = 64L * 1024 * 1024;

    public static AlertingOptions Read(IConfiguration section, string? dataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var defaults = new AlertingOptions();
        var options = new AlertingOptions
        {
            File = section["File"] is { Length: > 0 } file ? file : null,
            ExternalUrl = section["ExternalUrl"] is { Length: > 0 } url ? url.TrimEnd('/') : null,
            TickInterval = Duration(section, "TickInterval", defaults.TickInterval),
            ExternalResolveTimeout = Duration(section, "ExternalResolveTimeout", defaults.ExternalResolveTimeout),
            ExpiredSilenceRetention = Duration(section, "ExpiredSilenceRetention", defaults.ExpiredSilenceRetention),
            MaxSilencesPerTenant = section["MaxSilencesPerTenant"] is { Length: > 0 } cap
                ? int.TryParse(cap, NumberStyles.None, CultureInfo.InvariantCulture, out var silences)
                    ? silences
                    : throw new InvalidOperationException($"Alerting:MaxSilencesPerTenant: '{cap}' is not a whole number (0 for no limit)")
                : defaults.MaxSilencesPerTenant,
            MaxAlertsPerTenant = section["MaxAlertsPerTenant"] is { Length: > 0 } alertCap
                ? int.TryParse(alertCap, NumberStyles.None, CultureInfo.InvariantCulture, out var alerts)
                    ? alerts
                    : throw new InvalidOperationException($"Alerting:MaxAlertsPerTenant: '{alertCap}' is not a whole number (0 for no limit)")
                : defaults.MaxAlertsPerTenant,
            DeliveryTimeout = Duration(section, "Delivery:Timeout", defaults.DeliveryTimeout),
            DeliveryDeadline = Duration(section, "Delivery:Deadline", defaults.DeliveryDeadline),
            InitialBackoff = Duration(section, "Delivery:InitialBackoff", defaults.InitialBackoff),
            MaxBackoff = Duration(section, "Delivery:MaxBackoff", defaults.MaxBackoff),
            MaxConcurrentDeliveries = section["Delivery:MaxConcurrency"] is { Length: > 0 } text
                ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new InvalidOperationException($"Alerting:Delivery:MaxConcurrency: '{text}' is not a positive integer")
                : defaults.MaxConcurrentDeliveries,
            SpoolFile = section["Spool:File"] is { Length: > 0 } spool
                ? spool
                : dataDirectory is not null ? Path.Combine(dataDirectory, "notification-spool.log") : defaults.SpoolFile,
            SpoolMaxBytes = section["Spool:MaxBytes"] is { Length: > 0 } bytes
                ? long.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max >= 4096
                    ? max
                    : throw new InvalidOperationException($"Alerting:Spool:MaxBytes: '{bytes}' is not a number of bytes of at least 4096")
                : defaults.SpoolMaxBytes,
        };
        if (options.MaxBackoff < options.InitialBackoff)
        {
            throw new InvalidOperationException("Alerting:Delivery:MaxBackoff: must not be less than InitialBackoff");
        }

        return options;
    }

    private static TimeSpan Duration(IConfiguration section, string key, TimeSpan fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if ((DurationParser.TryParse(text, out var value) || TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value)) && value > TimeSpan.Zero)
        {
            return value;
        }

        throw new InvalidOperationException($"Alerting:{key}: '{text}' is not a positive duration such as 30s or 00:00:30");
    }
}
