using System.Globalization;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// Memory of burn attribution over 10,000 SLOs (<see cref="SloFleet"/>'s definitions) after six hours in which every
/// minute brings each SLO ten bad spans with nine attribution keys, so that every slice of every ring holds
/// summaries and exemplars. <c>typical</c>: the values of an HTTP service (three status codes, twenty pods, two
/// versions, one route per SLO); <c>flood</c>: six of the keys bring new values every minute, more than a summary
/// keeps. Prints what the managed heap grew by, attribution on against off, and the engine's own estimate. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- attribution-memory [typical|flood] [slos]</c>.
/// </summary>
internal static class SloAttributionMemory
{
    public static int Run(string[] args)
    {
        var flood = args.Length > 1 && args[1] == "flood";
        var slos = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
        var off = Measure(slos, enabled: false, flood, out _);
        var on = Measure(slos, enabled: true, flood, out var estimate);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SLOs: {slos:N0}, {(flood ? "flood" : "typical")} values"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed heap, attribution off: {off / 1024.0 / 1024:F1} MiB, on: {on / 1024.0 / 1024:F1} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per SLO: {(on - off) / (double)slos / 1024:F1} KiB measured, {estimate / (double)slos / 1024:F1} KiB by the engine's estimate"));
        return 0;
    }

    private static long Measure(int slos, bool enabled, bool flood, out long estimate)
    {
        var time = new FixedTime(SloFleet.Now);
        var engine = SloFleet.Build(slos, time, minutesOfTraffic: 0, new SloEngineOptions { Attribution = { Enabled = enabled } });
        for (var service = 0; service < slos / 10; service++)
        {
            var name = "svc-" + service.ToString(CultureInfo.InvariantCulture);
            for (var minute = 1; minute <= 360; minute++)
            {
                var end = (SloFleet.Now - TimeSpan.FromMinutes(minute)).ToUnixTimeMilliseconds() * 1_000_000;
                for (var route = 0; route < 10; route++)
                {
                    for (var n = 0; n < 10; n++)
                    {
                        var path = "/r" + route.ToString(CultureInfo.InvariantCulture);
                        var v = flood ? ((minute * 10) + n).ToString(CultureInfo.InvariantCulture) : null;
                        var status = v ?? (500 + (n % 3)).ToString(CultureInfo.InvariantCulture);
                        engine.OnSpan(SpanEvent.Create(name, "GET " + path, SpanKind.Server, SpanStatusCode.Error, end - 500_000_000, end,
                        [
                            new("http.route", path), new("http.request.method", "GET"), new("http.response.status_code", status),
                            new("server.address", "host-" + (v ?? "a")), new("service.version", "1." + (minute / 180).ToString(CultureInfo.InvariantCulture)),
                            new("deployment.environment.name", "env-" + (v ?? "prod")), new("cloud.region", "region-" + (v ?? "eu-west-1")),
                            new("k8s.pod.name", "pod-" + (v ?? ((minute + n) % 20).ToString(CultureInfo.InvariantCulture))),
                            new("error.type", "error-" + (v ?? (n % 3).ToString(CultureInfo.InvariantCulture))),
                        ], traceId: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte)n], spanId: [1, 2, 3, 4, 5, 6, 7, (byte)n]));
                    }
                }
            }
        }

        estimate = 0;
        foreach (var definition in engine.Definitions)
        {
            estimate += engine.AttributionOf(definition.Name)?.Bytes() ?? 0;
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var bytes = GC.GetTotalMemory(true);
        GC.KeepAlive(engine);
        return bytes;
    }
}
