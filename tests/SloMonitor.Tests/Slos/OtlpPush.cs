using Google.Protobuf;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Trace;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>Sends server spans over OTLP/HTTP protobuf, as an OpenTelemetry SDK does, and fails unless all are taken.</summary>
internal static class OtlpPush
{
    /// <summary>
    /// <paramref name="count"/> spans of <paramref name="service"/> on <paramref name="route"/> ending within the last
    /// few seconds; <paramref name="errors"/> of them, spread evenly through the request, have status ERROR; span i
    /// lasts (i + 1) ms. Sent with <paramref name="token"/>, or the endpoint's registered token when null.
    /// </summary>
    /// <remarks>
    /// The service records a request's spans in order, and an evaluation round may run in the middle of one: spread
    /// out, the errors of any first part of the request are about the share of the whole, so such a round sees what
    /// the test sends, only fewer of it (errors first, it saw a request of errors alone, and paged).
    /// </remarks>
    public static async Task SpansAsync(Uri otlpHttp, string service, string route, int count, int errors, string? token = null)
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
                Status = new Status { Code = IsError(i, count, errors) ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Ok },
            };
            span.Attributes.Add(new KeyValue { Key = "http.route", Value = new AnyValue { StringValue = route } });
            span.Attributes.Add(new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = IsError(i, count, errors) ? 503 : 200 } });
            scope.Spans.Add(span);
        }

        await OtlpTraces.SendAsync(otlpHttp, service, scope, token);
    }

    /// <summary>Whether span <paramref name="i"/> of <paramref name="count"/> is one of the <paramref name="errors"/> spread evenly among them.</summary>
    private static bool IsError(int i, int count, int errors) => (long)(i + 1) * errors / count > (long)i * errors / count;
}
