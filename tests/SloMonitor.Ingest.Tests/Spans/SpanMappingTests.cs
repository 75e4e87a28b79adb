using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Common;
using static SloMonitor.Ingest.Tests.Support.IngestorUnderTest;

namespace SloMonitor.Ingest.Tests.Spans;

public sealed class SpanMappingTests
{
    [Fact]
    public void ASpanBecomesAnEventWithItsServiceScopeKindStatusDurationAndEndTime()
    {
        var t = new IngestorUnderTest();
        var end = t.NowNano - Seconds(1);
        var span = Requests.Span("GET /cart", end, 0.25, Requests.Attr("http.route", "/cart"));
        span.Kind = Otlp.Trace.Span.Types.SpanKind.Client;
        span.Status = new Otlp.Trace.Status { Code = Otlp.Trace.Status.Types.StatusCode.Error };

        var result = t.Ingestor.ApplyTraces(Requests.Traces(Requests.Resource("checkout"), span));

        Assert.Equal(new ApplyResult(1, 0, null), result);
        var captured = Assert.Single(t.Sink.Spans);
        Assert.Equal(("checkout", "GET /cart", SpanKind.Client, SpanStatusCode.Error), (captured.ServiceName, captured.Name, captured.Kind, captured.StatusCode));
        Assert.Equal(0.25, captured.DurationSeconds, 9);
        Assert.Equal(end, captured.EndTimeUnixNano);
        Assert.Equal(end - Seconds(0.25), captured.StartTimeUnixNano);
        Assert.Equal("test-scope", captured.ScopeName);
        Assert.Equal(("client", "error", "checkout"), (captured.Attributes["span.kind"], captured.Attributes["status.code"], captured.Attributes["service.name"]));
    }

    [Fact]
    public void AttributeLookupPrefersPseudoAttributesThenSpanThenResourceAndFormatsValuesInvariantly()
    {
        var span = SpanEvent.Create("checkout", "GET /cart", SpanKind.Server, SpanStatusCode.Ok, 1, 2, [new("tier", "span-level")]);
        Assert.True(span.TryGetAttribute("span.name", out var name));
        Assert.Equal("GET /cart", name);
        Assert.True(span.TryGetAttribute("tier", out var tier));
        Assert.Equal("span-level", tier);
        Assert.False(span.TryGetAttribute("absent", out _));

        var t = new IngestorUnderTest();
        var proto = Requests.Span("op", t.NowNano, 0.1,
            Requests.Attr("http.response.status_code", 503),
            new KeyValue { Key = "retry", Value = new AnyValue { BoolValue = true } },
            new KeyValue { Key = "ratio", Value = new AnyValue { DoubleValue = 0.1 } },
            new KeyValue { Key = "route", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = "a" }, new AnyValue { IntValue = 2 } } } } },
            Requests.Attr("tier", "span-level"));
        t.Ingestor.ApplyTraces(Requests.Traces(Requests.Resource("checkout", Requests.Attr("tier", "resource-level"), Requests.Attr("deployment.environment", "prod")), proto));

        var attributes = Assert.Single(t.Sink.Spans).Attributes;
        Assert.Equal("503", attributes["http.response.status_code"]);
        Assert.Equal("true", attributes["retry"]);
        Assert.Equal("0.1", attributes["ratio"]);
        Assert.Equal("[\"a\",2]", attributes["route"]);
        Assert.Equal("span-level", attributes["tier"]);
        Assert.Equal("prod", attributes["deployment.environment"]);
    }

    [Fact]
    public void UnusableSpansAreRejectedWithTheFirstProblemNamedAndTheRestIsApplied()
    {
        var t = new IngestorUnderTest();
        var now = t.NowNano;
        var endsBeforeStart = Requests.Span("backwards", now);
        endsBeforeStart.StartTimeUnixNano = endsBeforeStart.EndTimeUnixNano + 1;
        var request = Requests.Traces(
            Requests.Resource("checkout"),
            Requests.Span("too old", now - (long)TimeSpan.FromDays(31).TotalNanoseconds),
            Requests.Span("ok 1", now),
            Requests.Span("from the future", now + Seconds(301)),
            endsBeforeStart,
            Requests.Span("too many attributes", now, 0.1, Enumerable.Range(0, 129).Select(i => Requests.Attr("k" + i, i)).ToArray()),
            Requests.Span("ok 2", now + Seconds(299)));
        request.ResourceSpans.Add(Requests.Traces(Requests.Resource(null), Requests.Span("no service", now)).ResourceSpans[0]);

        var result = t.Ingestor.ApplyTraces(request);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(5, result.Rejected);
        Assert.Equal("span 'too old': end_time_unix_nano 2026-01-29T12:00:00.0000000+00:00 is older than the maximum event age (oldest accepted 2026-01-30T12:00:00.0000000+00:00)", result.ErrorMessage);
        Assert.Equal(["ok 1", "ok 2"], t.Sink.Spans.Select(s => s.Name));
    }

    [Fact]
    public void TheMaximumEventAgeIsConfigurable()
    {
        var t = new IngestorUnderTest(o => o.MaxEventAge = TimeSpan.FromHours(1));

        var result = t.Ingestor.ApplyTraces(Requests.Traces(Requests.Resource("checkout"), Requests.Span("stale", t.NowNano - Seconds(3601)), Requests.Span("fresh", t.NowNano - Seconds(3599))));

        Assert.Equal((1, 1), (result.Accepted, result.Rejected));
    }

    [Fact]
    public void EventsBuiltForTestsRefuseAnEndBeforeTheStart()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SpanEvent.Create("s", "n", SpanKind.Server, SpanStatusCode.Ok, 10, 5));
        Assert.Equal("endTimeUnixNano", e.ParamName);
    }
}
