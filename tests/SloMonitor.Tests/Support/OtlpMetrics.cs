using System.Net.Http.Headers;
using Google.Protobuf;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Metrics;
using SloMonitor.Otlp.Resource;

namespace SloMonitor.Testing;

/// <summary>Sends metric points to the service as an OpenTelemetry SDK would: OTLP/HTTP protobuf on /v1/metrics.</summary>
internal static class OtlpMetrics
{
    /// <summary>One gauge point of <paramref name="service"/> at <paramref name="time"/>; fails unless it is taken.</summary>
    public static async Task SendGaugeAsync(Uri otlpHttp, string service, string metric, DateTimeOffset time, double value)
    {
        var point = new NumberDataPoint { TimeUnixNano = (ulong)time.ToUnixTimeMilliseconds() * 1_000_000, AsDouble = value };
        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } });
        var request = new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = resource,
                    ScopeMetrics = { new ScopeMetrics { Metrics = { new Metric { Name = metric, Gauge = new Gauge { DataPoints = { point } } } } } },
                },
            },
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) }.Authorized(otlpHttp);
        using var body = new ByteArrayContent(request.ToByteArray());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri(otlpHttp, "/v1/metrics"), body);
        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        if (!response.IsSuccessStatusCode || answer.PartialSuccess?.RejectedDataPoints > 0)
        {
            throw new InvalidOperationException(
                $"the service did not take the {metric} point: {(int)response.StatusCode}, rejected {answer.PartialSuccess?.RejectedDataPoints}: {answer.PartialSuccess?.ErrorMessage}");
        }
    }
}
