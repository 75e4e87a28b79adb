namespace SloMonitor.Alerting.Receivers;

internal enum ReceiverKind
{
    /// <summary>Receives nothing: incidents are still kept, nothing is sent.</summary>
    None,
    Webhook,
    Slack,
    PagerDuty,
    Alertmanager,
}

/// <summary>
/// A receiver from the routing file. <see cref="Url"/> (for Slack), <see cref="RoutingKey"/> and <see cref="Token"/> are secrets:
/// <see cref="ToString"/> leaves them out, and nothing logs them.
/// </summary>
internal sealed class ReceiverConfig
{
    public required string Name { get; init; }

    public required ReceiverKind Kind { get; init; }

    public Uri? Url { get; init; }

    public TimeSpan? Timeout { get; init; }

    public string? RoutingKey { get; init; }

    /// <summary>Webhook and upstream Alertmanager: sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; init; }

    public string? Channel { get; init; }

    public string? Username { get; init; }

    /// <summary>Webhook: at most this many alerts per message (0 = all); the rest are counted in truncatedAlerts.</summary>
    public int MaxAlerts { get; init; }

    public bool SendResolved { get; init; } = true;

    /// <summary>PagerDuty sends one event per alert (its dedup key is the alert's fingerprint).</summary>
    public bool PerAlert => Kind == ReceiverKind.PagerDuty;

    public override string ToString() => $"{Name} ({Kind})";
}
