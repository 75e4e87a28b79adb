using System.Text.Json;
using System.Text.Json.Serialization;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Delivery;

namespace SloMonitor.Alerting.Spool;

/// <summary>One message of a spooled decision and how its delivery stands.</summary>
internal sealed class SpooledMessage
{
    public required string DedupKey { get; init; }

    public required Notification Notification { get; init; }

    public required DateTimeOffset DeadlineAt { get; init; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c> (given up), as in the outbox.</summary>
    public string State { get; set; } = "pending";

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>Every attempt's outcome, written to the incident timeline when the message moves into the outbox.</summary>
    public List<SpooledAttempt> History { get; init; } = [];

    [JsonIgnore]
    public bool InFlight { get; set; }
}

/// <summary>The outcome of one delivery attempt of the message with <paramref name="DedupKey"/>.</summary>
internal sealed record SpooledAttempt(string DedupKey, DateTimeOffset At, int Attempt, string Outcome, string? Error, DateTimeOffset? NextAttemptAt);

/// <summary>
/// A notification decision taken while PostgreSQL was away: the notification-log entry it stands for (what the
/// receiver is told about the group) and its messages, each with the dedup key it keeps in the outbox.
/// </summary>
internal sealed class SpooledDecision
{
    /// <summary>The tenant whose routing holds the receiver (records written before tenants: the default one).</summary>
    public string Tenant { get; init; } = Storage.Tenants.Default;

    public required string Receiver { get; init; }

    public required string GroupKey { get; init; }

    public required string[] Firing { get; init; }

    public required string[] Resolved { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    public long Sequence { get; init; }

    public List<SpooledMessage> Messages { get; init; } = [];
}

/// <summary>
/// An incident change that could not be written when it happened, kept with its time to be written on recovery:
/// alerts that fired or resolved (they open, join, leave or resolve incidents), an alert's mute that changed, or the
/// outcome of an outbox delivery that ended while the database was away.
/// </summary>
internal sealed record SpooledIncidentWork(DateTimeOffset At, IReadOnlyList<Alert>? Alerts, SpooledMute? Mute, SpooledOutboxOutcome? Outcome = null);

/// <summary>The outcome of an attempt at outbox row <paramref name="Id"/> (attempt <paramref name="Attempts"/>), with its timeline details.</summary>
internal sealed record SpooledOutboxOutcome(long Id, int Attempts, long[] IncidentIds, bool Delivered, DateTimeOffset At, DateTimeOffset? NextAttemptAt, string? Error, JsonElement Details);

/// <summary>An alert of <paramref name="Tenant"/> muted (<paramref name="MutedBy"/> set) or no longer muted, with its timeline entry.</summary>
internal sealed record SpooledMute(string Fingerprint, string? MutedBy, string TimelineKind, JsonElement Details, string Tenant = Storage.Tenants.Default);

/// <summary>One record of the spool file: exactly one of its fields is set.</summary>
internal sealed record SpoolRecord(SpooledDecision? Decision = null, SpooledAttempt? Attempt = null, SpooledIncidentWork? Work = null)
{
    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>The record, or null for an intact record of another shape (skipped).</summary>
    public static SpoolRecord? Decode(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<SpoolRecord>(bytes, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
