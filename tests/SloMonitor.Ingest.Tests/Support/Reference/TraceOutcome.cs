using System.Text;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest.Tests.Support.Reference;

/// <summary>
/// What reading a trace request gave, as text to compare: the refusal (exception type and message), or the
/// counts, the first rejection message and every event delivered with its fields and the attributes of
/// <see cref="Keys"/>.
/// </summary>
internal static class TraceOutcome
{
    /// <summary>The keys every event is asked for: pseudo-attributes, keys the generators use, and absent ones.</summary>
    public static readonly string[] Keys =
        ["service.name", "span.name", "span.kind", "status.code", "http.route", "tier", "k", "ключ", "n", "deep", "empty", "", "absent"];

    public static string Refused(Exception e) => $"refused {e.GetType().Name}: {e.Message}";

    public static string Applied(ApplyResult result, string spans) =>
        $"accepted {result.Accepted} rejected {result.Rejected} first error {result.ErrorMessage ?? "(none)"}\n{spans}";

    public static void Span(
        StringBuilder output, string serviceName, string name, SpanKind kind, SpanStatusCode status, long start, long end, double seconds, string? scopeName,
        ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId) =>
        output.Append($"span service={serviceName} name={name} kind={(int)kind} status={(int)status} start={start} end={end} seconds={seconds:R} scope={scopeName ?? "(null)"} trace={Convert.ToHexString(traceId)} id={Convert.ToHexString(spanId)}\n");

    public static void Attribute(StringBuilder output, string key, string? value) =>
        output.Append("  ").Append(key).Append(value is null ? " absent" : " = " + value).Append('\n');
}
