using System.Net.Http.Headers;
using Google.Protobuf;
using SloMonitor.Benchmarks.Ingest;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Metrics;
using SloMonitor.Otlp.Resource;

namespace SloMonitor.Benchmarks.SideBySide;

/// <summary>
/// Pushes the workload's counters to SloMonitor as an OpenTelemetry SDK would: OTLP/HTTP protobuf, one resource
/// per service, cumulative monotonic sums started at the workload's origin, each request carrying the points of
/// every series at the given instants (in time order, so cumulative-to-delta sees them as an exporter sends them).
/// </summary>
internal sealed class CounterPush(HttpClient http, Uri otlp, CounterWorkload workload)
{
    public async Task SendAsync(IReadOnlyList<DateTimeOffset> instants)
    {
        var request = new ExportMetricsServiceRequest();
        var start = (ulong)IngestPayloads.UnixNano(workload.Origin);
        for (var i = 0; i < workload.Services; i++)
        {
            var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
            foreach (var errors in (ReadOnlySpan<bool>)[false, true])
            {
                foreach (var at in instants)
                {
                    var point = new NumberDataPoint { StartTimeUnixNano = start, TimeUnixNano = (ulong)IngestPayloads.UnixNano(at), AsInt = workload.Count(i, errors, at) };
                    point.Attributes.Add(new KeyValue { Key = "code", Value = new AnyValue { StringValue = CounterWorkload.Code(errors) } });
                    sum.DataPoints.Add(point);
                }
            }

            var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore.Hosting" } };
            scope.Metrics.Add(new Metric { Name = CounterWorkload.OtlpMetric, Sum = sum });
            var resource = new Resource();
            resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = CounterWorkload.Service(i) } });
            request.ResourceMetrics.Add(new ResourceMetrics { Resource = resource, ScopeMetrics = { scope } });
        }

        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri(otlp, "v1/metrics"), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"OTLP push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        if (answer.PartialSuccess?.RejectedDataPoints > 0)
        {
            throw new InvalidOperationException($"OTLP push: {answer.PartialSuccess.RejectedDataPoints} points rejected: {answer.PartialSuccess.ErrorMessage}");
        }
    }
}
