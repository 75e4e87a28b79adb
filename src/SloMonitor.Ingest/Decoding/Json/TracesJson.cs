using System.Text.Json;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Ingest;

/// <summary>OTLP JSON reader for trace export requests.</summary>
internal static class TracesJson
{
    private static readonly JsonItemReader<ResourceSpans> ResourceSpansItem = ReadResourceSpans;
    private static readonly JsonItemReader<ScopeSpans> ScopeSpansItem = ReadScopeSpans;
    private static readonly JsonItemReader<Span> SpanItem = ReadSpan;
    private static readonly JsonItemReader<Span.Types.Event> EventItem = ReadEvent;
    private static readonly JsonItemReader<Span.Types.Link> LinkItem = ReadLink;
    private static readonly JsonItemReader<Status> StatusItem = ReadStatus;

    public static ExportTraceServiceRequest Read(ref Utf8JsonReader reader)
    {
        var request = new ExportTraceServiceRequest();
        JsonRead.StartObject(ref reader, "(root)");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resourceSpans"u8))
            {
                JsonRead.Array(ref reader, request.ResourceSpans, ResourceSpansItem, "resourceSpans");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return request;
    }

    private static ResourceSpans ReadResourceSpans(ref Utf8JsonReader reader)
    {
        var resourceSpans = new ResourceSpans();
        JsonRead.StartObject(ref reader, "resourceSpans[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resource"u8))
            {
                resourceSpans.Resource = CommonJson.Optional(ref reader, CommonJson.Resource);
            }
            else if (reader.ValueTextEquals("scopeSpans"u8))
            {
                JsonRead.Array(ref reader, resourceSpans.ScopeSpans, ScopeSpansItem, "scopeSpans");
            }
            else if (reader.ValueTextEquals("schemaUrl"u8))
            {
                resourceSpans.SchemaUrl = JsonRead.String(ref reader, "schemaUrl");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return resourceSpans;
    }

    private static ScopeSpans ReadScopeSpans(ref Utf8JsonReader reader)
    {
        var scopeSpans = new ScopeSpans();
        JsonRead.StartObject(ref reader, "scopeSpans[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("scope"u8))
            {
                scopeSpans.Scope = CommonJson.Optional(ref reader, CommonJson.Scope);
            }
            else if (reader.ValueTextEquals("spans"u8))
            {
                JsonRead.Array(ref reader, scopeSpans.Spans, SpanItem, "spans");
            }
            else if (reader.ValueTextEquals("schemaUrl"u8))
            {
                scopeSpans.SchemaUrl = JsonRead.String(ref reader, "schemaUrl");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return scopeSpans;
    }

    private static Span ReadSpan(ref Utf8JsonReader reader)
    {
        var span = new Span();
        JsonRead.StartObject(ref reader, "spans[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("traceId"u8))
            {
                span.TraceId = JsonRead.HexId(ref reader, "traceId", 16);
            }
            else if (reader.ValueTextEquals("spanId"u8))
            {
                span.SpanId = JsonRead.HexId(ref reader, "spanId", 8);
            }
            else if (reader.ValueTextEquals("parentSpanId"u8))
            {
                span.ParentSpanId = JsonRead.HexId(ref reader, "parentSpanId", 8);
            }
            else if (reader.ValueTextEquals("traceState"u8))
            {
                span.TraceState = JsonRead.String(ref reader, "traceState");
            }
            else if (reader.ValueTextEquals("flags"u8))
            {
                span.Flags = JsonRead.UInt32(ref reader, "flags");
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                span.Name = JsonRead.String(ref reader, "name");
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                span.Kind = (Span.Types.SpanKind)JsonRead.Enum(ref reader, "kind", 5);
            }
            else if (reader.ValueTextEquals("startTimeUnixNano"u8))
            {
                span.StartTimeUnixNano = JsonRead.UInt64(ref reader, "startTimeUnixNano");
            }
            else if (reader.ValueTextEquals("endTimeUnixNano"u8))
            {
                span.EndTimeUnixNano = JsonRead.UInt64(ref reader, "endTimeUnixNano");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                JsonRead.Array(ref reader, span.Attributes, CommonJson.KeyValueItem, "attributes");
            }
            else if (reader.ValueTextEquals("droppedAttributesCount"u8))
            {
                span.DroppedAttributesCount = JsonRead.UInt32(ref reader, "droppedAttributesCount");
            }
            else if (reader.ValueTextEquals("events"u8))
            {
                JsonRead.Array(ref reader, span.Events, EventItem, "events");
            }
            else if (reader.ValueTextEquals("droppedEventsCount"u8))
            {
                span.DroppedEventsCount = JsonRead.UInt32(ref reader, "droppedEventsCount");
            }
            else if (reader.ValueTextEquals("links"u8))
            {
                JsonRead.Array(ref reader, span.Links, LinkItem, "links");
            }
            else if (reader.ValueTextEquals("droppedLinksCount"u8))
            {
                span.DroppedLinksCount = JsonRead.UInt32(ref reader, "droppedLinksCount");
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                span.Status = CommonJson.Optional(ref reader, StatusItem);
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return span;
    }

    private static Span.Types.Event ReadEvent(ref Utf8JsonReader reader)
    {
        var spanEvent = new Span.Types.Event();
        JsonRead.StartObject(ref reader, "events[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("timeUnixNano"u8))
            {
                spanEvent.TimeUnixNano = JsonRead.UInt64(ref reader, "events.timeUnixNano");
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                spanEvent.Name = JsonRead.String(ref reader, "events.name");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                JsonRead.Array(ref reader, spanEvent.Attributes, CommonJson.KeyValueItem, "events.attributes");
            }
            else if (reader.ValueTextEquals("droppedAttributesCount"u8))
            {
                spanEvent.DroppedAttributesCount = JsonRead.UInt32(ref reader, "events.droppedAttributesCount");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return spanEvent;
    }

    private static Span.Types.Link ReadLink(ref Utf8JsonReader reader)
    {
        var link = new Span.Types.Link();
        JsonRead.StartObject(ref reader, "links[]");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("traceId"u8))
            {
                link.TraceId = JsonRead.HexId(ref reader, "links.traceId", 16);
            }
            else if (reader.ValueTextEquals("spanId"u8))
            {
                link.SpanId = JsonRead.HexId(ref reader, "links.spanId", 8);
            }
            else if (reader.ValueTextEquals("traceState"u8))
            {
                link.TraceState = JsonRead.String(ref reader, "links.traceState");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                JsonRead.Array(ref reader, link.Attributes, CommonJson.KeyValueItem, "links.attributes");
            }
            else if (reader.ValueTextEquals("droppedAttributesCount"u8))
            {
                link.DroppedAttributesCount = JsonRead.UInt32(ref reader, "links.droppedAttributesCount");
            }
            else if (reader.ValueTextEquals("flags"u8))
            {
                link.Flags = JsonRead.UInt32(ref reader, "links.flags");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return link;
    }

    private static Status ReadStatus(ref Utf8JsonReader reader)
    {
        var status = new Status();
        JsonRead.StartObject(ref reader, "status");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("code"u8))
            {
                status.Code = (Status.Types.StatusCode)JsonRead.Enum(ref reader, "status.code", 2);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                status.Message = JsonRead.String(ref reader, "status.message");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }

        return status;
    }
}
