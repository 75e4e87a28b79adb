namespace SloMonitor.Otlp;

/// <summary>The field numbers of the OTLP trace messages that the in-place readers use (from the .proto files).</summary>
internal static class TraceFields
{
    public const int RequestResourceSpans = 1;

    public const int ResourceSpansResource = 1;
    public const int ResourceSpansScopeSpans = 2;

    public const int ResourceAttributes = 1;

    public const int ScopeSpansScope = 1;
    public const int ScopeSpansSpans = 2;

    public const int ScopeName = 1;

    public const int SpanTraceId = 1;
    public const int SpanSpanId = 2;
    public const int SpanName = 5;
    public const int SpanKind = 6;
    public const int SpanStartTime = 7;
    public const int SpanEndTime = 8;
    public const int SpanAttributes = 9;
    public const int SpanStatus = 15;

    public const int StatusCode = 3;

    public const int KeyValueKey = 1;
    public const int KeyValueValue = 2;

    public const int AnyString = 1;
    public const int AnyBool = 2;
    public const int AnyInt = 3;
    public const int AnyDouble = 4;
    public const int AnyArray = 5;
    public const int AnyKvlist = 6;
    public const int AnyBytes = 7;
}
