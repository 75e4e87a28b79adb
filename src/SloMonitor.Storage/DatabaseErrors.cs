using System.Net.Sockets;
using Npgsql;

namespace SloMonitor.Storage;

/// <summary>Tells an unreachable or not-yet-ready PostgreSQL from a query's own error.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// True when <paramref name="e"/> says PostgreSQL cannot be used right now — down, restarting, refusing
    /// connections, timing out, or without the schema yet — so the operation may succeed later; false for errors
    /// of the statement itself (a constraint, bad SQL).
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)     // connection exceptions
            || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "42P01"           // shutdown, starting, too many connections, schema missing
            || postgres.IsTransient,
        NpgsqlException => true,
        TimeoutException or SocketException => true,
        _ => e.InnerException is { } inner && IsUnavailable(inner),
    };
}
