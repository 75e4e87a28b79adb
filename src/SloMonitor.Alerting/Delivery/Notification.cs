using System.Text.Json.Serialization;

namespace SloMonitor.Alerting.Delivery;

/// <summary>One alert inside a notification, with the fields of Alertmanager's webhook format.</summary>
internal sealed record NotificationAlert(
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    [property: JsonPropertyName("generatorURL")] string? GeneratorUrl,
    string Fingerprint);

/// <summary>
/// What was decided to be sent to one receiver for one group; stored as the outbox row's payload and rendered
/// for the receiver's integration when delivered. <see cref="FiringUntil"/> is the end time given to an upstream
/// Alertmanager for alerts still firing (the next repeat is due before it). <see cref="Receiver"/> is a receiver of
/// <see cref="Tenant"/>'s routing.
/// </summary>
internal sealed record Notification(
    string Receiver,
    string GroupKey,
    string Status,
    IReadOnlyDictionary<string, string> GroupLabels,
    IReadOnlyList<NotificationAlert> Alerts,
    DateTimeOffset CreatedAt,
    DateTimeOffset FiringUntil,
    string Tenant = Storage.Tenants.Default);
