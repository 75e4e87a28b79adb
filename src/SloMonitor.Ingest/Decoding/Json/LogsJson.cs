using System.Text.Json;
using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Logs;

namespace SloMonitor.Ingest;

/// <summary>
/// OTLP JSON reader for log export requests. Logs are only counted, so records keep none of their fields; the
/// JSON must still be well formed and shaped as OTLP (resourceLogs, scopeLogs, logRecords).
/// </summary>
internal static class LogsJson
{
    private static readonly JsonItemReader<ResourceLogs> ResourceLogsItem = ReadResourceLogs;
    private static readonly JsonItemReader<ScopeLogs> ScopeLogsItem = ReadScopeLogs;
    private static readonly JsonItemReader<LogRecord> RecordItem = ReadRecord;

    public static ExportLogsServiceRequest Read(ref Utf8JsonReader reader)
    {
        var request = new ExportLogsServiceRequest();
        JsonRead.StartObject(ref reader, "(root)");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resourceLogs"u8))
            {
                JsonRead.Array(ref reader, request.ResourceLogs, ResourceLogsItem, "resourceLogs");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return request;
    }

    private static ResourceLogs ReadResourceLogs(ref Utf8JsonReader reader)
    {
        var resourceLogs = new ResourceLogs();
        JsonRead.StartObject(ref reader, "resourceLogs[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("scopeLogs"u8))
            {
                JsonRead.Array(ref reader, resourceLogs.ScopeLogs, ScopeLogsItem, "scopeLogs");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return resourceLogs;
    }

    private static ScopeLogs ReadScopeLogs(ref Utf8JsonReader reader)
    {
        var scopeLogs = new ScopeLogs();
        JsonRead.StartObject(ref reader, "scopeLogs[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("logRecords"u8))
            {
                JsonRead.Array(ref reader, scopeLogs.LogRecords, RecordItem, "logRecords");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return scopeLogs;
    }

    private static LogRecord ReadRecord(ref Utf8JsonReader reader)
    {
        JsonRead.StartObject(ref reader, "logRecords[]");
        reader.Skip();
        return new LogRecord();
    }
}
