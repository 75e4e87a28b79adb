using System.Globalization;
using System.Text;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// A fleet of SLOs like a large installation's: 1,000 services with ten SLOs each (six availability, three latency
/// with a histogram, one with groupBy over four routes), 30-day windows, and six hours of traffic in every SLO.
/// </summary>
internal static class SloFleet
{
    public static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static string Yaml(int slos)
    {
        var yaml = new StringBuilder("slos:\n");
        for (var i = 0; i < slos; i++)
        {
            var service = "svc-" + (i / 10).ToString(CultureInfo.InvariantCulture);
            var sli = (i % 10) switch
            {
                < 6 => $"{{kind: availability, match: 'http.route=\"/r{i % 10}\"'}}",
                < 9 => $"{{kind: latency, match: 'http.route=\"/r{i % 10}\"', threshold: 300ms}}",
                _ => "{kind: availability, match: 'http.route=~\"/g.*\"'}",
            };
            var groupBy = i % 10 == 9 ? "\n    groupBy: [http.route]" : "";
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: slo-{i}\n    service: {service}\n    objective: 99.9{groupBy}\n    sli: {sli}\n");
        }

        return yaml.ToString();
    }

    public static SloEngine Build(int slos, TimeProvider time, int minutesOfTraffic = 360, SloEngineOptions? options = null)
    {
        var engine = new SloEngine(time, options ?? new SloEngineOptions());
        var parsed = SloParser.ParseYaml(Yaml(slos), "fleet.yaml");
        if (!parsed.IsValid)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, parsed.Errors));
        }

        engine.Apply(parsed.Definitions);
        var random = new Random(7);
        for (var service = 0; service < slos / 10; service++)
        {
            var name = "svc-" + service.ToString(CultureInfo.InvariantCulture);
            for (var minute = 1; minute <= minutesOfTraffic; minute++)
            {
                var end = (Now - TimeSpan.FromMinutes(minute)).ToUnixTimeMilliseconds() * 1_000_000;
                for (var route = 0; route < 13; route++)
                {
                    var path = route < 9 ? "/r" + route.ToString(CultureInfo.InvariantCulture) : "/g" + (route - 9).ToString(CultureInfo.InvariantCulture);
                    var status = random.Next(1000) == 0 ? SpanStatusCode.Error : SpanStatusCode.Ok;
                    var duration = (long)(random.NextDouble() * 0.5e9);
                    engine.OnSpan(SpanEvent.Create(name, "GET " + path, SpanKind.Server, status, end - duration, end, [new("http.route", path)]));
                }
            }
        }

        return engine;
    }
}
