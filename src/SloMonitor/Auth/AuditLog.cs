using System.Text.Json;
using Dapper;
using Npgsql;
using SloMonitor.Storage;

namespace SloMonitor.Auth;

/// <summary>One change on record: who, what, and the object before and after it.</summary>
internal sealed record AuditEntry(long Id, DateTimeOffset At, string Tenant, string Actor, string Action, string Kind, string ObjectId, JsonElement? Before, JsonElement? After);

/// <summary>
/// <c>audit_log</c>: a row for every SLO, silence and token created, changed or deleted and every incident
/// acknowledged, resolved or commented. SLO changes write their row in the change's own transaction
/// (<see cref="Entry"/>); the others write it after the change succeeded, and a row that cannot be written then
/// (PostgreSQL went away in between) is logged instead, with the same fields.
/// </summary>
internal sealed class AuditLog(NpgsqlDataSource dataSource, TimeProvider time, ILogger<AuditLog> logger)
{
    public const int MaxList = 1000;

    public Task RecordAsync(HttpContext context, string action, string kind, string id, object? before, object? after) =>
        RecordAsync(Principal.TenantOf(context), Principal.NameOf(context), action, kind, id, before, after, context.RequestAborted);

    /// <summary>The row recording a change by the caller, for a store to write in the change's transaction.</summary>
    public AuditRecord Entry(HttpContext context, string action, string kind, string id, object? before, object? after) =>
        new(Principal.TenantOf(context), Principal.NameOf(context), action, kind, id, Json(before), Json(after), time.GetUtcNow());

    public async Task RecordAsync(string tenant, string actor, string action, string kind, string id, object? before, object? after, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await AuditRecords.InsertAsync(connection, null, [new AuditRecord(tenant, actor, action, kind, id, Json(before), Json(after), time.GetUtcNow())], cancellationToken);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) || e is OperationCanceledException)
        {
            logger.LogWarning("Audit record not written ({Reason}): {Actor} {Action} {Kind} {Id}", e.Message, actor, action, kind, id);
        }
    }

    /// <summary>The tenant's records, newest first, optionally of one kind of object (slo, silence, token, incident, gate).</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(string tenant, string? kind, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, DateTime At, string Tenant, string Actor, string Action, string Kind, string ObjectId, string? Before, string? After)>(new CommandDefinition(
            """
            SELECT id, at, tenant, actor, action, object_kind, object_id, before::text, after::text FROM audit_log
            WHERE tenant = @tenant AND (@kind::text IS NULL OR object_kind = @kind)
            ORDER BY id DESC LIMIT @limit
            """,
            new { tenant, kind, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new AuditEntry(r.Id, new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)), r.Tenant, r.Actor, r.Action, r.Kind, r.ObjectId,
            Parse(r.Before), Parse(r.After))).ToList();
    }

    private static string? Json(object? value) => value switch
    {
        null => null,
        string text => text,
        _ => JsonSerializer.Serialize(value, JsonSerializerOptions.Web),
    };

    private static JsonElement? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}

/// <summary><c>GET /api/v1/audit?kind=slo|silence|token|incident&amp;limit=N</c> (admin scope): the audit log, newest first.</summary>
internal static class AuditApi
{
    private static readonly string[] Kinds = ["slo", "silence", "token", "incident", "gate"];

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", async (HttpContext context, AuditLog audit, CancellationToken cancellationToken) =>
        {
            var kind = context.Request.Query["kind"].ToString() is { Length: > 0 } k ? k : null;
            if (kind is not null && !Kinds.Contains(kind, StringComparer.Ordinal))
            {
                return Results.Json(new { error = $"kind: '{kind}' is not one of {string.Join(", ", Kinds)}", field = "kind" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var limit = 100;
            if (context.Request.Query["limit"].ToString() is { Length: > 0 } text
                && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > AuditLog.MaxList))
            {
                return Results.Json(new { error = $"limit: must be a whole number from 1 to {AuditLog.MaxList}", field = "limit" }, statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Ok(await audit.ListAsync(Principal.TenantOf(context), kind, limit, cancellationToken));
        }).RequireScope(Scopes.Admin);
        return app;
    }
}
