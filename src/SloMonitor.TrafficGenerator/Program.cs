using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.TrafficGenerator;

// Pushes synthetic OTLP traffic with the OpenTelemetry .NET SDK: "checkout" stays healthy, "payments" degrades
// in cycles (errors, latency and replication lag rise for a few minutes, then recover), so burn rates move.
var options = GeneratorOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: SloMonitor.TrafficGenerator [--endpoint http://127.0.0.1:4317] [--protocol grpc|http] [--rate SPANS_PER_SECOND] [--cycle-minutes N] [--webhook-port PORT]");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var services = new[]
{
    new SimulatedService("checkout", "/api/checkout", degrades: false),
    new SimulatedService("payments", "/api/pay", degrades: true),
};
var providers = new List<IDisposable>();
foreach (var service in services)
{
    var resource = ResourceBuilder.CreateDefault().AddService(service.Name, serviceVersion: "1.0.0");
    providers.Add(Sdk.CreateTracerProviderBuilder()
        .SetResourceBuilder(resource)
        .AddSource(service.Source.Name)
        .AddOtlpExporter(o => Configure(o, options, "traces"))
        .Build());
    providers.Add(Sdk.CreateMeterProviderBuilder()
        .SetResourceBuilder(resource)
        .AddMeter(service.Meter.Name)
        .AddOtlpExporter((o, reader) =>
        {
            Configure(o, options, "metrics");
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 5000;
        })
        .Build());
}

Console.WriteLine($"pushing ~{options.Rate} spans/s per service to {options.Endpoint} ({options.Protocol}); Ctrl-C stops");
using var printer = options.WebhookPort is { } webhookPort ? new WebhookPrinter(webhookPort) : null;
var printing = printer?.RunAsync(stop.Token) ?? Task.CompletedTask;
var started = TimeProvider.System.GetUtcNow();
var random = new Random();
var tick = TimeSpan.FromMilliseconds(100);
using var timer = new PeriodicTimer(tick);
try
{
    while (await timer.WaitForNextTickAsync(stop.Token))
    {
        var elapsed = TimeProvider.System.GetUtcNow() - started;
        foreach (var service in services)
        {
            var health = service.Degrades ? Degradation.At(elapsed, TimeSpan.FromMinutes(options.CycleMinutes)) : 0;
            service.Emit(random, options.Rate / 10.0, health);
        }
    }
}
catch (OperationCanceledException)
{
}

foreach (var provider in providers)
{
    provider.Dispose();
}

await printing;

return 0;

static void Configure(OtlpExporterOptions exporter, GeneratorOptions options, string signal)
{
    exporter.Protocol = options.Protocol == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
    exporter.Endpoint = options.Protocol == "http" ? new Uri(options.Endpoint, $"v1/{signal}") : options.Endpoint;
}
