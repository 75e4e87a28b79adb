using System.Text.Json;

namespace SloMonitor.Alerting.Incidents;

public static class IncidentStates
{
    public const string Triggered = "triggered";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";
}

/// <summary>Timeline entry kinds; the timeline is append-only.</summary>
public static class TimelineKinds
{
    public const string Created = "created";
    public const string Routed = "routed";
    public const string Notified = "notified";
    public const string NotifyFailed = "notify_failed";
    public const string Silenced = "silenced";
    public const string Inhibited = "inhibited";
    public const string Acked = "acked";
    public const string Unacked = "unacked";
    public const string Resolved = "resolved";
    public const string Comment = "comment";

    /// <summary>An alert inhibited by an alert of the incident became part of it instead of opening its own.</summary>
    public const string Joined = "joined";

    /// <summary>A joined alert left: it resolved, or it outlived the alert that inhibited it and opened its own.</summary>
    public const string Left = "left";
}

/// <summary>An incident as the list shows it.</summary>
public sealed record Incident(
    long Id,
    string State,
    string Severity,
    string Title,
    string? Service,
    string? Slo,
    string Fingerprint,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    int Version);

/// <summary>The alert behind an incident, as it was while the incident was open.</summary>
public sealed record IncidentAlert(
    string Fingerprint,
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt);

public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Actor, JsonElement Details);

/// <summary>
/// An incident with its alerts (the one that opened it first, then those that joined it because an alert of the
/// incident inhibited them), links and whole timeline.
/// </summary>
public sealed record IncidentDetail(
    long Id,
    string State,
    string Severity,
    string Title,
    string? Service,
    string? Slo,
    string Fingerprint,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt,
    int Version,
    IReadOnlyList<IncidentAlert> Alerts,
    string? RunbookUrl,
    string? DashboardUrl,
    IReadOnlyList<TimelineEntry> Timeline);

public enum IncidentChangeStatus
{
    Changed,
    NotFound,
    Conflict,
}

/// <summary>The outcome of a user action: on conflict, <see cref="Current"/> is the state that won.</summary>
public sealed record IncidentChange(IncidentChangeStatus Status, Incident? Current, string? Error);
