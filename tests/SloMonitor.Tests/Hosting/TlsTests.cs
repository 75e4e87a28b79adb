using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Hosting;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// TLS on every listener from <c>SloMonitor:Tls</c>, with a CA the test makes on loopback: the API and OTLP/HTTP
/// over HTTPS, the OpenTelemetry .NET SDK's OTLP exporter over gRPC and HTTP trusting that CA, and a certificate
/// replaced on disk served to new connections without a restart.
/// </summary>
public sealed class TlsTests
{
    private const string Slos = """
        slos:
          - name: cart-availability
            service: cart
            objective: 99
            sli: {kind: availability}
        """;

    [Fact]
    public async Task EveryListenerServesTheConfiguredCertificateAndTheOtlpExporterTrustingTheCaDeliversOverGrpcAndHttp()
    {
        using var certificates = new TestCertificates();
        using var served = certificates.IssueServer("slomonitor-1");
        var options = new TestServiceOptions { SloYaml = Slos };
        certificates.AddSettings(options.Settings);
        await using var service = await TestService.StartAsync(options);

        string? thumbprint = null;
        using (var api = new HttpClient(certificates.TrustingHandler(c => thumbprint = c.Thumbprint)) { BaseAddress = TestCertificates.Https(service.BaseAddress) })
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/healthz")).StatusCode);
            Assert.Equal(served.Thumbprint, thumbprint);
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", service.AdminToken);
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/slos")).StatusCode);
        }

        // Plain HTTP is not served on a TLS listener.
        using (var plain = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(10) })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/healthz"));
        }

        // A client that trusts only the machine's roots refuses the certificate.
        using (var untrusting = new HttpClient { BaseAddress = TestCertificates.Https(service.BaseAddress) })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => untrusting.GetAsync("/healthz"));
        }

        Export(service, certificates, OtlpExportProtocol.Grpc, spans: 2);
        Export(service, certificates, OtlpExportProtocol.HttpProtobuf, spans: 3);
        await service.EvaluateRoundAsync();
        using var slo = JsonDocument.Parse(await HttpsAdmin(service, certificates).GetStringAsync("/api/v1/slos/cart-availability"));
        Assert.Equal(5, slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("30d").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task ACertificateReplacedOnDiskIsServedToNewConnectionsWithoutARestart()
    {
        using var certificates = new TestCertificates();
        using var first = certificates.IssueServer("slomonitor-before");
        var options = new TestServiceOptions();
        certificates.AddSettings(options.Settings, reloadInterval: "00:00:00.200");
        await using var service = await TestService.StartAsync(options);

        Assert.Equal(first.Thumbprint, await ServedThumbprintAsync(service.BaseAddress, certificates));
        Assert.Equal(first.Thumbprint, await ServedThumbprintAsync(service.OtlpHttpEndpoint, certificates));

        using var second = certificates.IssueServer("slomonitor-after");
        await Poll.UntilAsync(() => ServedThumbprintAsync(service.BaseAddress, certificates), t => t == second.Thumbprint, TimeSpan.FromSeconds(20), "the new certificate served");
        Assert.Equal(second.Thumbprint, await ServedThumbprintAsync(service.OtlpHttpEndpoint, certificates));

        // A half-written pair (a key that does not match) keeps the certificate served so far.
        await File.WriteAllTextAsync(certificates.KeyFile, System.Security.Cryptography.ECDsa.Create().ExportPkcs8PrivateKeyPem());
        var served = service.Services.GetRequiredService<ServerCertificate>();
        Assert.False(served.ReloadIfChanged(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Equal(second.Thumbprint, await ServedThumbprintAsync(service.BaseAddress, certificates));
    }

    [Fact]
    public async Task DogfoodingExportsTheServicesOwnSpansToItsTlsListener()
    {
        using var certificates = new TestCertificates();
        using var served = certificates.IssueServer("slomonitor-dogfood");
        var options = new TestServiceOptions
        {
            SloYaml = await File.ReadAllTextAsync(RepositoryRoot.Combine("deploy", "examples", "slos", "slomonitor.yaml")),
            Settings = { ["Telemetry:Dogfood"] = "true", ["OTEL_BSP_SCHEDULE_DELAY"] = "200" },
        };
        certificates.AddSettings(options.Settings);
        await using var service = await TestService.StartAsync(options);
        using var api = HttpsAdmin(service, certificates);

        await Poll.UntilAsync(
            async () =>
            {
                await service.EvaluateRoundAsync();
                using var slo = JsonDocument.Parse(await api.GetStringAsync("/api/v1/slos/slomonitor-evaluation-latency"));
                return slo.RootElement.GetProperty("status").GetProperty("windows").GetProperty("5m").GetProperty("total").GetInt64();
            },
            total => total >= 1, TimeSpan.FromSeconds(30), "the service's own evaluation spans arriving over TLS");
    }

    [Theory]
    [InlineData("missing.pem", "SloMonitor:Tls:CertificateFile")]
    [InlineData("garbage.pem", "SloMonitor:Tls:CertificateFile")]
    public void AnUnusableCertificateStopsStartUpNamingTheKey(string file, string key)
    {
        using var certificates = new TestCertificates();
        var path = Path.Combine(certificates.Directory, file);
        if (file == "garbage.pem")
        {
            File.WriteAllText(path, "not a certificate");
        }

        var e = Assert.Throws<StartupException>(() => ServerCertificate.Load(new TlsOptions { CertificateFile = path }));
        Assert.StartsWith(key, e.Message, StringComparison.Ordinal);
    }

    private static HttpClient HttpsAdmin(TestService service, TestCertificates certificates)
    {
        var client = new HttpClient(certificates.TrustingHandler()) { BaseAddress = TestCertificates.Https(service.BaseAddress) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", service.AdminToken);
        return client;
    }

    private static async Task<string?> ServedThumbprintAsync(Uri endpoint, TestCertificates certificates)
    {
        string? thumbprint = null;
        using var client = new HttpClient(certificates.TrustingHandler(c => thumbprint = c.Thumbprint)) { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await client.GetAsync(new Uri(TestCertificates.Https(endpoint), "/healthz"));
        return thumbprint;
    }

    /// <summary>The SDK's exporter as a user sets it up: an https endpoint and OTEL_EXPORTER_OTLP_CERTIFICATE naming the CA.</summary>
    private static void Export(TestService service, TestCertificates certificates, OtlpExportProtocol protocol, int spans)
    {
        using var source = new ActivitySource("tls-export-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_CERTIFICATE"] = certificates.CaFile })
            .Build();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(configuration))
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("cart"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc
                    ? TestCertificates.Https(service.OtlpGrpcEndpoint)
                    : new Uri(TestCertificates.Https(service.OtlpHttpEndpoint), "/v1/traces");
                o.ExportProcessorType = ExportProcessorType.Simple;
                o.TimeoutMilliseconds = 10_000;
                o.Headers = "Authorization=Bearer " + service.IngestToken;
            })
            .Build();
        var end = DateTimeOffset.UtcNow;
        for (var i = 0; i < spans; i++)
        {
            using var activity = source.StartActivity("GET /cart", ActivityKind.Server, default(ActivityContext), startTime: end.AddMilliseconds(-20))!;
            activity.SetStatus(ActivityStatusCode.Ok);
            activity.SetEndTime(end.UtcDateTime);
        }

        Assert.True(provider.ForceFlush(10_000), "the exporter flushed");
    }
}
