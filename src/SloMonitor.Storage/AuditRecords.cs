using Dapper;
using Npgsql;

namespace SloMonitor.Storage;

/// <summary>One row of <c>audit_log</c>: who did what to which object, with the object before and after (JSON text).</summary>
public sealed record AuditRecord(string Tenant, string Actor, string Action, string Kind, string ObjectId, string? Before, string? After, DateTimeOffset At);

/// <summary>
/// Writes audit rows, on a connection of its own or in the transaction of the change they record (so that a change
/// and its record commit or fail together).
/// </summary>
public static class AuditRecords
{
    public static Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<AuditRecord> records, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_log (at, tenant, actor, action, object_kind, object_id, before, after)
            VALUES (@At, @Tenant, @Actor, @Action, @Kind, @ObjectId, @Before::jsonb, @After::jsonb)
            """,
            records,
            transaction,
            cancellationToken: cancellationToken));
}
