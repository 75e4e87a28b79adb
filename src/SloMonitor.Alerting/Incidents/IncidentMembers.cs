using System.Data.Common;
using Dapper;
using SloMonitor.Alerting.Alerts;

namespace SloMonitor.Alerting.Incidents;

/// <summary>An alert's place in an open incident: the one that opened it (primary) or one that joined it.</summary>
internal sealed record Membership(string Fingerprint, long IncidentId, string Role)
{
    public const string Primary = "primary";
    public const string Joined = "joined";
}

/// <summary>
/// The <c>incident_alert</c> rows: which open incident each alert belongs to. An alert belongs to at most one open
/// incident (a partial unique index per tenant and fingerprint); every statement runs in the caller's transaction.
/// Looking up by fingerprint alone is safe across tenants: an alert's fingerprint includes its tenant.
/// </summary>
internal static class IncidentMembers
{
    public const string LeftResolved = "resolved";
    public const string LeftUser = "user";
    public const string LeftMerged = "merged";
    public const string LeftInhibitorResolved = "inhibitor_resolved";

    public static async Task<Dictionary<string, Membership>> OpenOfAsync(DbConnection connection, DbTransaction transaction, IReadOnlyCollection<string> fingerprints)
    {
        if (fingerprints.Count == 0)
        {
            return new Dictionary<string, Membership>(StringComparer.Ordinal);
        }

        var rows = await connection.QueryAsync<(string Fingerprint, long IncidentId, string Role)>("""
            SELECT fingerprint, incident_id, role FROM incident_alert
             WHERE left_at IS NULL AND fingerprint = ANY(@fingerprints)
            """, new { fingerprints = fingerprints.ToArray() }, transaction);
        return rows.ToDictionary(r => r.Fingerprint, r => new Membership(r.Fingerprint, r.IncidentId, r.Role), StringComparer.Ordinal);
    }

    public static Task AddAsync(DbConnection connection, DbTransaction transaction, long incidentId, Alert alert, string role, DateTimeOffset now) =>
        connection.ExecuteAsync("""
            INSERT INTO incident_alert (tenant, incident_id, fingerprint, role, alert_starts_at, joined_at)
            VALUES (@Tenant, @incidentId, @Fingerprint, @role, @StartsAt, @now)
            """, new { alert.Tenant, incidentId, alert.Fingerprint, role, StartsAt = Db.Utc(alert.StartsAt), now = Db.Utc(now) }, transaction);

    /// <summary>Ends the open membership of one alert; returns its incident, if it had one.</summary>
    public static Task<long?> LeaveAsync(DbConnection connection, DbTransaction transaction, string fingerprint, string reason, DateTimeOffset now) =>
        connection.ExecuteScalarAsync<long?>("""
            UPDATE incident_alert SET left_at = @now, left_reason = @reason
             WHERE fingerprint = @fingerprint AND left_at IS NULL
            RETURNING incident_id
            """, new { fingerprint, reason, now = Db.Utc(now) }, transaction);

    /// <summary>
    /// Ends every open membership of an incident that is being resolved or merged: the primary alert leaves with
    /// <paramref name="primaryReason"/>, the joined ones with <paramref name="joinedReason"/>. Returns the joined
    /// alerts that left, with the start of the firing they joined with.
    /// </summary>
    public static async Task<IReadOnlyList<(string Fingerprint, DateTime StartsAt)>> CloseAsync(
        DbConnection connection, DbTransaction transaction, long incidentId, string primaryReason, string joinedReason, DateTimeOffset now) =>
        (await connection.QueryAsync<(string Fingerprint, DateTime StartsAt, string Role)>("""
            UPDATE incident_alert
               SET left_at = @now, left_reason = CASE WHEN role = 'primary' THEN @primaryReason ELSE @joinedReason END
             WHERE incident_id = @incidentId AND left_at IS NULL
            RETURNING fingerprint, alert_starts_at, role
            """, new { incidentId, primaryReason, joinedReason, now = Db.Utc(now) }, transaction))
            .Where(r => r.Role == Membership.Joined)
            .Select(r => (r.Fingerprint, r.StartsAt))
            .ToList();

    /// <summary>Whether a user resolved an incident this firing (same start) belonged to, which keeps it from opening another.</summary>
    public static Task<bool> ResolvedByUserAsync(DbConnection connection, DbTransaction transaction, Alert alert) =>
        connection.ExecuteScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM incident_alert
                            WHERE tenant = @Tenant AND fingerprint = @Fingerprint AND alert_starts_at = @StartsAt AND left_reason = 'user')
            """, new { alert.Tenant, alert.Fingerprint, StartsAt = Db.Utc(alert.StartsAt) }, transaction);

    /// <summary>Locks an incident's row for the rest of the transaction; false when it is resolved (or absent).</summary>
    public static async Task<bool> LockOpenAsync(DbConnection connection, DbTransaction transaction, long incidentId) =>
        await connection.ExecuteScalarAsync<string?>(
            "SELECT state FROM incident WHERE id = @incidentId FOR UPDATE", new { incidentId }, transaction) is { } state
        && state != IncidentStates.Resolved;
}
