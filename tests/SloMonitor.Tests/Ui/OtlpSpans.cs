using Google.Protobuf;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Trace;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>Pushes server spans to the service as an OpenTelemetry SDK would: OTLP/HTTP protobuf on /v1/traces.</summary>
internal static class OtlpSpans
{
    /// <summary>
    /// Sends <paramref name="count"/> server spans of <paramref name="service"/> whose ends are spread evenly over
    /// the <paramref name="past"/> up to now; <paramref name="errors"/> of them, spread evenly too, have status ERROR.
    /// Each lasts <paramref name="duration"/> (plus up to 10%). Even spans are named "GET /service" and odd ones
    /// "POST /service/items"; with half the spans failing, the failures are exactly the POSTs.
    /// </summary>
    public static async Task PushAsync(Uri otlpHttp, string service, int count, int errors, TimeSpan duration, TimeSpan past)
    {
        var now = DateTimeOffset.UtcNow;
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "slomonitor-ui-tests" } };
        for (var i = 0; i < count; i++)
        {
            var end = now - TimeSpan.FromMilliseconds(1) - (past * (count - 1 - i) / count);
            var failed = (long)i * errors / count != ((long)i + 1) * errors / count;
            var length = duration + (duration * (i % 10) / 100);
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                SpanId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray(), 0, 8),
                Name = i % 2 == 0 ? $"GET /{service}" : $"POST /{service}/items",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = Nanos(end - length),
                EndTimeUnixNano = Nanos(end),
                Status = new Status { Code = failed ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Ok },
            });
        }

        await OtlpTraces.SendAsync(otlpHttp, service, scope);
    }

    private static ulong Nanos(DateTimeOffset at) => (ulong)(at.ToUnixTimeMilliseconds() * 1_000_000);
}
