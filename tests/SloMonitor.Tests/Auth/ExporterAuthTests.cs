using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary>
/// The OpenTelemetry .NET SDK's own OTLP exporter, configured as users configure it (<c>Headers</c>, the same as
/// <c>OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer …</c>), over gRPC and http/protobuf: with an ingest token its
/// spans count, without one none does.
/// </summary>
public sealed class ExporterAuthTests
{
    private const string Slos = """
        slos:
          - name: cart-availability
            service: cart
            objective: 99
            sli: {kind: availability}
        """;

    public static TheoryData<OtlpExportProtocol> Protocols => new() { OtlpExportProtocol.Grpc, OtlpExportProtocol.HttpProtobuf };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SpansFromAnExporterWithAnIngestTokenCountAndWithoutOneNoneDo(OtlpExportProtocol protocol)
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });

        Export(service, protocol, headers: null, spans: 3);
        Export(service, protocol, headers: "Authorization=Bearer slom_" + new string('x', 43), spans: 3);
        Export(service, protocol, headers: "Authorization=Bearer " + service.IngestToken, spans: 5);

        await service.EvaluateRoundAsync();
        using var slo = JsonDocument.Parse(await service.Http.GetStringAsync("/api/v1/slos/cart-availability"));
        Assert.Equal(5, slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
    }

    internal static void Export(TestService service, OtlpExportProtocol protocol, string? headers, int spans)
    {
        using var source = new ActivitySource("exporter-auth-" + Guid.NewGuid().ToString("N"));
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("cart"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? service.OtlpGrpcEndpoint : new Uri(service.OtlpHttpEndpoint, "/v1/traces");
                o.ExportProcessorType = ExportProcessorType.Simple;
                o.TimeoutMilliseconds = 10_000;
                if (headers is not null)
                {
                    o.Headers = headers;
                }
            })
            .Build();
        var end = DateTimeOffset.UtcNow;
        for (var i = 0; i < spans; i++)
        {
            using var activity = source.StartActivity("GET /cart", ActivityKind.Server, default(ActivityContext), startTime: end.AddMilliseconds(-20))!;
            activity.SetStatus(ActivityStatusCode.Ok);
            activity.SetEndTime(end.UtcDateTime);
        }

        provider.ForceFlush(10_000);
    }
}
