using System.Net.Http.Headers;
using Google.Protobuf;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Resource;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Testing;

/// <summary>Sends spans to the service as an OpenTelemetry SDK would: OTLP/HTTP protobuf on /v1/traces.</summary>
internal static class OtlpTraces
{
    /// <summary>
    /// Sends <paramref name="scope"/>'s spans as <paramref name="service"/>'s, with <paramref name="token"/> (the
    /// endpoint's registered token when null); fails unless every span is taken.
    /// </summary>
    public static async Task SendAsync(Uri otlpHttp, string service, ScopeSpans scope, string? token = null)
    {
        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } });
        var request = new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { scope } } } };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) }.Authorized(otlpHttp);
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var body = new ByteArrayContent(request.ToByteArray());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(new Uri(otlpHttp, "/v1/traces"), body);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        if (!response.IsSuccessStatusCode || answer.PartialSuccess?.RejectedSpans > 0)
        {
            throw new InvalidOperationException(
                $"the service did not take the {service} spans: {(int)response.StatusCode}, rejected {answer.PartialSuccess?.RejectedSpans}: {answer.PartialSuccess?.ErrorMessage}");
        }
    }
}
