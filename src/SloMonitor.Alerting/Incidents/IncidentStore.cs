using System.Data.Common;
using System.Text.Json;
using Dapper;
using Npgsql;
using SloMonitor.Alerting.Alerts;

namespace SloMonitor.Alerting.Incidents;

/// <summary>
/// Incidents and their timeline in PostgreSQL. Every state change is a compare-and-set on <c>version</c> plus a
/// timeline row in one transaction; at most one open incident per tenant and fingerprint is a partial unique index.
/// Every incident belongs to the tenant of its alert: reads and changes name the tenant, and another tenant's incident
/// is not found. The methods without a tenant act on the default tenant's.
/// </summary>
public sealed class IncidentStore
{
    public const string SourceActor = "source";
    public const string SystemActor = "slomonitor";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public IncidentStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    internal TimeSpan? AckTimeout { get; set; }

    public Task<IReadOnlyList<Incident>> ListAsync(string? state, string? service, string? slo, CancellationToken cancellationToken) =>
        ListAsync(Storage.Tenants.Default, state, service, slo, cancellationToken);

    public async Task<IReadOnlyList<Incident>> ListAsync(string tenant, string? state, string? service, string? slo, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(SelectSql + """
             WHERE tenant = @tenant
               AND (@state::text IS NULL OR state = @state)
               AND (@service::text IS NULL OR service = @service)
               AND (@slo::text IS NULL OR slo = @slo)
             ORDER BY opened_at DESC, id DESC
             LIMIT 500
            """, new { tenant, state, service, slo }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToIncident()).ToList();
    }

    public Task<Incident?> GetAsync(long id, CancellationToken cancellationToken) => GetAsync(Storage.Tenants.Default, id, cancellationToken);

    /// <summary>The incident <paramref name="id"/> of <paramref name="tenant"/>; null when there is none (another tenant's included).</summary>
    public async Task<Incident?> GetAsync(string tenant, long id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await ReadAsync(connection, null, tenant, id))?.ToIncident();
    }

    public Task<IncidentDetail?> GetDetailAsync(long id, CancellationToken cancellationToken) => GetDetailAsync(Storage.Tenants.Default, id, cancellationToken);

    public async Task<IncidentDetail?> GetDetailAsync(string tenant, long id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await ReadAsync(connection, null, tenant, id);
        if (row is null)
        {
            return null;
        }

        var events = await connection.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT at AS At, kind AS Kind, actor AS Actor, details::text AS Details
              FROM incident_event WHERE incident_id = @id ORDER BY id
            """, new { id }, cancellationToken: cancellationToken));
        var timeline = events.Select(e => new TimelineEntry(Db.Offset(e.At), e.Kind, e.Actor, JsonDocument.Parse(e.Details).RootElement.Clone())).ToList();
        var now = _time.GetUtcNow();
        var endsAt = Db.Offset(row.AlertEndsAt);
        var alert = new IncidentAlert(
            row.Fingerprint,
            endsAt is { } e && e <= now ? "resolved" : "firing",
            Json.ReadMap(row.AlertLabels),
            Json.ReadMap(row.AlertAnnotations),
            Db.Offset(row.AlertStartsAt),
            endsAt);
        var joined = await connection.QueryAsync<JoinedRow>(new CommandDefinition("""
            SELECT a.fingerprint AS Fingerprint, a.labels::text AS Labels, a.annotations::text AS Annotations,
                   a.starts_at AS StartsAt, a.ends_at AS EndsAt
              FROM alert a
              JOIN (SELECT fingerprint, min(id) AS first FROM incident_alert
                     WHERE incident_id = @id AND role = 'joined' GROUP BY fingerprint) m ON m.fingerprint = a.fingerprint
             WHERE a.tenant = @tenant
             ORDER BY m.first
            """, new { id, tenant }, cancellationToken: cancellationToken));
        var alerts = new List<IncidentAlert> { alert };
        alerts.AddRange(joined.Select(j => new IncidentAlert(j.Fingerprint, Db.Offset(j.EndsAt) is { } end && end <= now ? "resolved" : "firing",
            Json.ReadMap(j.Labels), Json.ReadMap(j.Annotations), Db.Offset(j.StartsAt), Db.Offset(j.EndsAt))));
        var i = row.ToIncident();
        return new IncidentDetail(i.Id, i.State, i.Severity, i.Title, i.Service, i.Slo, i.Fingerprint, i.OpenedAt, i.AcknowledgedAt,
            i.AcknowledgedBy, i.ResolvedAt, i.Version, alerts, row.RunbookUrl, row.DashboardUrl, timeline);
    }

    /// <summary>Acknowledges a triggered incident. With <paramref name="expectedVersion"/>, only that version.</summary>
    public Task<IncidentChange> AcknowledgeAsync(long id, string actor, int? expectedVersion, CancellationToken cancellationToken) =>
        AcknowledgeAsync(Storage.Tenants.Default, id, actor, expectedVersion, cancellationToken);

    /// <summary>Acknowledges a triggered incident of <paramref name="tenant"/>. With <paramref name="expectedVersion"/>, only that version.</summary>
    public Task<IncidentChange> AcknowledgeAsync(string tenant, long id, string actor, int? expectedVersion, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var expires = AckTimeout is { } timeout ? now + timeout : (DateTimeOffset?)null;
        return ChangeAsync(tenant, id, expectedVersion, current => current.State == IncidentStates.Triggered ? null : $"incident is {current.State}",
            """
            UPDATE incident SET state = 'acknowledged', acknowledged_at = @now, acknowledged_by = @actor,
                                ack_expires_at = @expires, version = version + 1
             WHERE id = @id AND version = @version
            """,
            new { now = Db.Utc(now), actor, expires = Db.Utc(expires) }, TimelineKinds.Acked, actor,
            expires is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["ackExpiresAt"] = expires },
            now, cancellationToken);
    }

    /// <summary>Resolves an open incident on a user's behalf.</summary>
    public Task<IncidentChange> ResolveAsync(long id, string actor, int? expectedVersion, CancellationToken cancellationToken) =>
        ResolveAsync(Storage.Tenants.Default, id, actor, expectedVersion, cancellationToken);

    /// <summary>Resolves an open incident of <paramref name="tenant"/> on a user's behalf.</summary>
    public Task<IncidentChange> ResolveAsync(string tenant, long id, string actor, int? expectedVersion, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return ChangeAsync(tenant, id, expectedVersion, current => current.State == IncidentStates.Resolved ? "incident is resolved" : null,
            ResolveSql, new { now = Db.Utc(now), actor }, TimelineKinds.Resolved, actor,
            new Dictionary<string, object?> { ["by"] = "user" }, now, cancellationToken,
            (connection, transaction) => IncidentMembers.CloseAsync(connection, transaction, id, IncidentMembers.LeftUser, IncidentMembers.LeftUser, now));
    }

    /// <summary>Adds a comment to the timeline; null when there is no such incident.</summary>
    public Task<TimelineEntry?> AddCommentAsync(long id, string actor, string text, CancellationToken cancellationToken) =>
        AddCommentAsync(Storage.Tenants.Default, id, actor, text, cancellationToken);

    /// <summary>Adds a comment to the timeline of an incident of <paramref name="tenant"/>; null when it has no such incident.</summary>
    public async Task<TimelineEntry?> AddCommentAsync(string tenant, long id, string actor, string text, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM incident WHERE tenant = @tenant AND id = @id)", new { tenant, id }, cancellationToken: cancellationToken));
        if (!exists)
        {
            return null;
        }

        var details = new Dictionary<string, object?> { ["text"] = text };
        await AppendAsync(connection, null, [id], TimelineKinds.Comment, actor, details, now);
        return new TimelineEntry(now, TimelineKinds.Comment, actor, JsonSerializer.SerializeToElement(details));
    }

    private static readonly (string Annotation, string Field)[] WhyAnnotations =
        [("attributions", "attributions"), ("trace_urls", "traceUrls"), ("trace_ids", "traceIds"), ("debug_url", "debugUrl")];

    /// <summary>
    /// Opens an incident for a firing alert unless one is open, or a user already resolved an incident this same
    /// firing belonged to (same start time: the alert never stopped); returns the new id, or null.
    /// <paramref name="previousIncident"/> is the incident the alert had joined until it outlived its inhibitor.
    /// </summary>
    internal static async Task<long?> OpenAsync(DbConnection connection, DbTransaction transaction, Alert alert, string? dashboardUrl, IReadOnlyList<string> receivers,
        DateTimeOffset now, long? previousIncident = null)
    {
        if (await IncidentMembers.ResolvedByUserAsync(connection, transaction, alert))
        {
            return null;
        }

        var id = await connection.ExecuteScalarAsync<long?>("""
            INSERT INTO incident (tenant, fingerprint, state, severity, title, service, slo, runbook_url, dashboard_url,
                                  alert_labels, alert_annotations, alert_starts_at, alert_ends_at, generator_url, opened_at)
            VALUES (@Tenant, @Fingerprint, 'triggered', @Severity, @Title, @Service, @Slo, @RunbookUrl, @DashboardUrl,
                    @Labels::jsonb, @Annotations::jsonb, @StartsAt, NULL, @GeneratorUrl, @Now)
            ON CONFLICT (tenant, fingerprint) WHERE state <> 'resolved' DO NOTHING
            RETURNING id
            """,
            new
            {
                alert.Tenant,
                alert.Fingerprint,
                Severity = alert.Label("severity") ?? "none",
                Title = Title(alert),
                Service = alert.Label("service"),
                Slo = alert.Label("slo"),
                RunbookUrl = alert.Annotation("runbook_url"),
                DashboardUrl = dashboardUrl,
                Labels = JsonSerializer.Serialize(alert.Labels),
                Annotations = JsonSerializer.Serialize(alert.Annotations),
                StartsAt = Db.Utc(alert.StartsAt),
                alert.GeneratorUrl,
                Now = Db.Utc(now),
            },
            transaction);
        if (id is not { } incidentId)
        {
            return null;
        }

        await IncidentMembers.AddAsync(connection, transaction, incidentId, alert, Membership.Primary, now);
        var created = new Dictionary<string, object?> { ["fingerprint"] = alert.Fingerprint, ["labels"] = alert.Labels, ["startsAt"] = alert.StartsAt };
        foreach (var (annotation, field) in WhyAnnotations)
        {
            // What was burning when the alert fired (SLO alerts): its top attributions and exemplar traces.
            if (alert.Annotation(annotation) is { Length: > 0 } value)
            {
                created[field] = value;
            }
        }

        if (previousIncident is { } previous)
        {
            created["reason"] = "outlived the alert that inhibited it";
            created["previousIncident"] = previous;
        }

        await AppendAsync(connection, transaction, [incidentId], TimelineKinds.Created, SourceActor, created, now);
        await AppendAsync(connection, transaction, [incidentId], TimelineKinds.Routed, SystemActor,
            new Dictionary<string, object?> { ["receivers"] = receivers }, now);
        return incidentId;
    }

    /// <summary>
    /// Resolves the open incident opened by a fingerprint because its alert resolved, ending every membership of it;
    /// returns the incident and the joined alerts that outlived the alert (they were inhibited by it), or null.
    /// </summary>
    internal static async Task<(long Id, IReadOnlyList<(string Fingerprint, DateTime StartsAt)> Outliving)?> ResolveBySourceAsync(
        DbConnection connection, DbTransaction transaction, string tenant, string fingerprint, DateTimeOffset endsAt, DateTimeOffset now)
    {
        var id = await connection.ExecuteScalarAsync<long?>("""
            UPDATE incident
               SET state = 'resolved', resolved_at = @now, resolved_by = 'source', alert_ends_at = @endsAt, version = version + 1
             WHERE tenant = @tenant AND fingerprint = @fingerprint AND state <> 'resolved'
            RETURNING id
            """, new { tenant, fingerprint, now = Db.Utc(now), endsAt = Db.Utc(endsAt) }, transaction);
        if (id is not { } incidentId)
        {
            return null;
        }

        var outliving = await IncidentMembers.CloseAsync(connection, transaction, incidentId, IncidentMembers.LeftResolved, IncidentMembers.LeftInhibitorResolved, now);
        await AppendAsync(connection, transaction, [incidentId], TimelineKinds.Resolved, SourceActor,
            new Dictionary<string, object?> { ["by"] = "source", ["endsAt"] = endsAt }, now);
        return (incidentId, outliving);
    }

    /// <summary>
    /// Resolves incident <paramref name="from"/> because its alerts moved into <paramref name="into"/>: its opening
    /// alert became inhibited by an alert of that incident. Returns the alerts that were open in it.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> MergeAsync(DbConnection connection, DbTransaction transaction, long from, long into, DateTimeOffset now)
    {
        var moved = await connection.QueryAsync<(string Fingerprint, DateTime StartsAt, string Tenant)>("""
            UPDATE incident_alert SET left_at = @now, left_reason = 'merged'
             WHERE incident_id = @from AND left_at IS NULL
            RETURNING fingerprint, alert_starts_at, tenant
            """, new { from, now = Db.Utc(now) }, transaction);
        var fingerprints = new List<string>();
        foreach (var (fingerprint, startsAt, tenant) in moved)
        {
            await connection.ExecuteAsync("""
                INSERT INTO incident_alert (tenant, incident_id, fingerprint, role, alert_starts_at, joined_at)
                VALUES (@tenant, @into, @fingerprint, 'joined', @startsAt, @now)
                """, new { tenant, into, fingerprint, startsAt, now = Db.Utc(now) }, transaction);
            fingerprints.Add(fingerprint);
        }

        await connection.ExecuteAsync("""
            UPDATE incident
               SET state = 'resolved', resolved_at = @now, resolved_by = @actor, ack_expires_at = NULL, version = version + 1
             WHERE id = @from AND state <> 'resolved'
            """, new { from, actor = SystemActor, now = Db.Utc(now) }, transaction);
        await AppendAsync(connection, transaction, [from], TimelineKinds.Resolved, SystemActor,
            new Dictionary<string, object?> { ["by"] = "merge", ["into"] = into, ["fingerprints"] = fingerprints }, now);
        return fingerprints;
    }

    /// <summary>Acknowledged incidents whose ack timeout passed return to triggered; returns how many.</summary>
    internal async Task<int> ReturnExpiredAcknowledgementsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition("""
            UPDATE incident
               SET state = 'triggered', ack_expires_at = NULL, version = version + 1
             WHERE state = 'acknowledged' AND ack_expires_at <= @now
            RETURNING id
            """, new { now = Db.Utc(now) }, transaction, cancellationToken: cancellationToken))).ToArray();
        if (ids.Length > 0)
        {
            await AppendAsync(connection, transaction, ids, TimelineKinds.Unacked, SystemActor,
                new Dictionary<string, object?> { ["reason"] = "acknowledgement timed out" }, now);
        }

        await transaction.CommitAsync(cancellationToken);
        return ids.Length;
    }

    internal static Task AppendAsync(DbConnection connection, DbTransaction? transaction, long[] incidentIds, string kind, string actor, object details, DateTimeOffset now) =>
        connection.ExecuteAsync("""
            INSERT INTO incident_event (incident_id, at, kind, actor, details)
            SELECT unnest(@incidentIds), @at, @kind, @actor, @details::jsonb
            """, new { incidentIds, at = Db.Utc(now), kind, actor, details = JsonSerializer.Serialize(details) }, transaction);

    /// <summary>The newest incident each fingerprint belonged to (open or just resolved), for linking notifications.</summary>
    internal static async Task<long[]> LatestIdsAsync(DbConnection connection, DbTransaction transaction, string tenant, string[] fingerprints) =>
        (await connection.QueryAsync<long>("""
            SELECT DISTINCT incident_id FROM (
                SELECT DISTINCT ON (fingerprint) incident_id FROM incident_alert
                 WHERE tenant = @tenant AND fingerprint = ANY(@fingerprints)
                 ORDER BY fingerprint, incident_id DESC) latest
             ORDER BY incident_id
            """, new { tenant, fingerprints }, transaction)).ToArray();

    internal static async Task<long?> OpenIdAsync(DbConnection connection, DbTransaction? transaction, string tenant, string fingerprint) =>
        await connection.ExecuteScalarAsync<long?>(
            "SELECT id FROM incident WHERE tenant = @tenant AND fingerprint = @fingerprint AND state <> 'resolved'", new { tenant, fingerprint }, transaction);

    private static string Title(Alert alert) =>
        alert.Annotation("summary") is { Length: > 0 } summary
            ? summary
            : $"{alert.Label("alertname") ?? "alert"}{(alert.Label("slo") is { } slo ? " " + slo : string.Empty)}";

    private const string ResolveSql = """
        UPDATE incident SET state = 'resolved', resolved_at = @now, resolved_by = @actor, ack_expires_at = NULL, version = version + 1
         WHERE id = @id AND version = @version
        """;

    private async Task<IncidentChange> ChangeAsync(string tenant, long id, int? expectedVersion, Func<Incident, string?> refuse, string updateSql, object values,
        string kind, string actor, Dictionary<string, object?> details, DateTimeOffset now, CancellationToken cancellationToken,
        Func<DbConnection, DbTransaction, Task>? alsoChange = null)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = (await ReadAsync(connection, transaction, tenant, id))?.ToIncident();
        if (current is null)
        {
            return new IncidentChange(IncidentChangeStatus.NotFound, null, $"incident {id} not found");
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new IncidentChange(IncidentChangeStatus.Conflict, current, $"version: expected {expected} but the incident is at {current.Version}");
        }

        if (refuse(current) is { } reason)
        {
            return new IncidentChange(IncidentChangeStatus.Conflict, current, reason);
        }

        var parameters = new DynamicParameters(values);
        parameters.Add("id", id);
        parameters.Add("version", current.Version);
        var changed = await connection.ExecuteAsync(new CommandDefinition(updateSql, parameters, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var winner = (await ReadAsync(connection, null, tenant, id))?.ToIncident();
            return new IncidentChange(IncidentChangeStatus.Conflict, winner, "the incident was changed concurrently");
        }

        if (alsoChange is not null)
        {
            await alsoChange(connection, transaction);
        }

        await AppendAsync(connection, transaction, [id], kind, actor, details, now);
        await transaction.CommitAsync(cancellationToken);
        return new IncidentChange(IncidentChangeStatus.Changed, (await ReadAsync(connection, null, tenant, id))!.ToIncident(), null);
    }

    private static Task<Row?> ReadAsync(DbConnection connection, DbTransaction? transaction, string tenant, long id) =>
        connection.QuerySingleOrDefaultAsync<Row>(SelectSql + " WHERE tenant = @tenant AND id = @id", new { tenant, id }, transaction);

    private const string SelectSql = """
        SELECT id AS Id, state AS State, severity AS Severity, title AS Title, service AS Service, slo AS Slo,
               fingerprint AS Fingerprint, opened_at AS OpenedAt, acknowledged_at AS AcknowledgedAt,
               acknowledged_by AS AcknowledgedBy, resolved_at AS ResolvedAt, version AS Version,
               runbook_url AS RunbookUrl, dashboard_url AS DashboardUrl, alert_labels::text AS AlertLabels,
               alert_annotations::text AS AlertAnnotations, alert_starts_at AS AlertStartsAt, alert_ends_at AS AlertEndsAt
          FROM incident
        """;

    private sealed class Row
    {
        public long Id { get; set; }

        public string State { get; set; } = string.Empty;

        public string Severity { get; set; } = string.Empty;

        public string Title { get; set; } = string.Empty;

        public string? Service { get; set; }

        public string? Slo { get; set; }

        public string Fingerprint { get; set; } = string.Empty;

        public DateTime OpenedAt { get; set; }

        public DateTime? AcknowledgedAt { get; set; }

        public string? AcknowledgedBy { get; set; }

        public DateTime? ResolvedAt { get; set; }

        public int Version { get; set; }

        public string? RunbookUrl { get; set; }

        public string? DashboardUrl { get; set; }

        public string AlertLabels { get; set; } = "{}";

        public string AlertAnnotations { get; set; } = "{}";

        public DateTime AlertStartsAt { get; set; }

        public DateTime? AlertEndsAt { get; set; }

        public Incident ToIncident() => new(Id, State, Severity, Title, Service, Slo, Fingerprint, Db.Offset(OpenedAt),
            Db.Offset(AcknowledgedAt), AcknowledgedBy, Db.Offset(ResolvedAt), Version);
    }

    private sealed class JoinedRow
    {
        public string Fingerprint { get; set; } = string.Empty;

        public string Labels { get; set; } = "{}";

        public string Annotations { get; set; } = "{}";

        public DateTime StartsAt { get; set; }

        public DateTime? EndsAt { get; set; }
    }

    private sealed class EventRow
    {
        public DateTime At { get; set; }

        public string Kind { get; set; } = string.Empty;

        public string Actor { get; set; } = string.Empty;

        public string Details { get; set; } = "{}";
    }
}
