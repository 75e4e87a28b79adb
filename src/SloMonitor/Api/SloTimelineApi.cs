using Dapper;
using Npgsql;
using SloMonitor.Auth;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Api;

/// <summary>
/// <c>GET /api/v1/slos/{name}/timeline?limit=</c> (read scope): what happened to an SLO, newest first, in one list —
/// its definition created, changed or deleted, budget adjustments declared or removed, deploy-gate overrides of its
/// service, and its incidents opened, acknowledged and resolved. Read from the audit log and the incident table.
/// </summary>
internal static class SloTimelineApi
{
    public const int MaxEntries = 500;

    public static IEndpointRouteBuilder MapSloTimelineApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/v1/slos/{name}/timeline", GetAsync).RequireScope(Scopes.Read);
        return app;
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, SloEngine engine, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (engine.Find(name) is not { } definition)
        {
            return Results.Json(new { error = $"no SLO named '{name}'" }, statusCode: StatusCodes.Status404NotFound);
        }

        var limit = 100;
        if (context.Request.Query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxEntries))
        {
            return ApiRequests.Problem("limit", $"must be a whole number from 1 to {MaxEntries}");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(DateTime At, string Kind, string Action, string Actor, long? Incident, string? Details)>(new CommandDefinition(
            """
            SELECT at, kind, action, actor, incident, details FROM (
                SELECT at, CASE WHEN object_kind = 'gate' THEN 'gate' WHEN action LIKE 'slo.adjustment.%' THEN 'adjustment' ELSE 'definition' END AS kind,
                       action, actor, NULL::bigint AS incident, coalesce(after, before)::text AS details
                  FROM audit_log
                 WHERE tenant = @tenant AND ((object_kind = 'slo' AND object_id = @slo) OR (object_kind = 'gate' AND object_id = @service))
                UNION ALL
                SELECT opened_at, 'incident', 'incident.opened', 'slomonitor', id, json_build_object('title', title, 'severity', severity)::text
                  FROM incident WHERE tenant = @tenant AND slo = @slo
                UNION ALL
                SELECT acknowledged_at, 'incident', 'incident.acknowledged', coalesce(acknowledged_by, ''), id, NULL
                  FROM incident WHERE tenant = @tenant AND slo = @slo AND acknowledged_at IS NOT NULL
                UNION ALL
                SELECT resolved_at, 'incident', 'incident.resolved', coalesce(resolved_by, ''), id, NULL
                  FROM incident WHERE tenant = @tenant AND slo = @slo AND resolved_at IS NOT NULL
            ) entries
            ORDER BY at DESC LIMIT @limit
            """,
            new { tenant = Principal.TenantOf(context), slo = name, service = definition.Service, limit },
            cancellationToken: cancellationToken));
        return Results.Json(rows.Select(r => new
        {
            at = new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)),
            kind = r.Kind,
            action = r.Action,
            actor = r.Actor,
            incident = r.Incident,
            incidentUrl = r.Incident is { } id ? $"/ui/incidents/{id}" : null,
            details = r.Details is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(r.Details).RootElement.Clone(),
        }));
    }
}
