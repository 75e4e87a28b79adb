using System.Net.Http.Headers;
using Google.Protobuf;
using SloMonitor.Ingest.Otlp.Collector.Trace;
using SloMonitor.Ingest.Otlp.Common;
using SloMonitor.Ingest.Otlp.Resource;
using SloMonitor.Ingest.Otlp.Trace;

namespace SloMonitor.Tests.Slos;

/// <summary>Sends server spans over OTLP/HTTP protobuf, as an OpenTelemetry SDK does, and checks none was rejected.</summary>
internal static class OtlpPush
{
    /// <summary>
    /// <paramref name="count"/> spans of <paramref name="service"/> on <paramref name="route"/> ending within the last
    /// few seconds; the first <paramref name="errors"/> have status ERROR; span i lasts (i + 1) ms.
    /// </summary>
    public static async Task SpansAsync(Uri otlpHttp, string service, string route, int count, int errors)
    {
        var now = DateTimeOffset.UtcNow;
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "slomonitor-slo-tests" } };
        for (var i = 0; i < count; i++)
        {
            var end = (ulong)(now.ToUnixTimeMilliseconds() - (i % 5000)) * 1_000_000;
            var span = new Span
            {
                TraceId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                SpanId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray(), 0, 8),
                Name = "POST " + route,
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = end - ((ulong)(i + 1) * 1_000_000),
                EndTimeUnixNano = end,
                Status = new Status { Code = i < errors ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Ok },
            };
            span.Attributes.Add(new KeyValue { Key = "http.route", Value = new AnyValue { StringValue = route } });
            span.Attributes.Add(new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = i < errors ? 503 : 200 } });
            scope.Spans.Add(span);
        }

        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } });
        var request = new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { scope } } } };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var body = new ByteArrayContent(request.ToByteArray());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri(otlpHttp, "/v1/traces"), body);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.True(response.IsSuccessStatusCode, $"OTLP/HTTP answered {(int)response.StatusCode}");
        Assert.Equal(0, answer.PartialSuccess?.RejectedSpans ?? 0);
    }
}
