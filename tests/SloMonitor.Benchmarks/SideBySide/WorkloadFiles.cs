using System.Globalization;
using System.Text;

namespace SloMonitor.Benchmarks.SideBySide;

/// <summary>
/// What the side-by-side run gives each side before it starts: SloMonitor's SLO file, Prometheus's configuration
/// and Sloth-style rules, and the history as an OpenMetrics file for <c>promtool tsdb create-blocks-from
/// openmetrics</c> (the counters, and the 5-minute error ratio that Sloth's 30-day recording reads, as Prometheus
/// would have recorded them).
/// </summary>
internal static class WorkloadFiles
{
    public static readonly TimeSpan HistoryStep = TimeSpan.FromMinutes(1);

    public static void Write(string directory, CounterWorkload workload, DateTimeOffset end, int exporterPort, int scrapeSeconds)
    {
        File.WriteAllText(Path.Combine(directory, "slos.yaml"), Slos(workload.Services));
        File.WriteAllText(Path.Combine(directory, "rules.yml"), SlothStyleRules.Write(workload.Services));
        File.WriteAllText(Path.Combine(directory, "prometheus.yml"), $$"""
            global:
              scrape_interval: {{scrapeSeconds}}s
              evaluation_interval: {{scrapeSeconds}}s
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: workload
                static_configs: [{targets: ["127.0.0.1:{{exporterPort}}"]}]

            """);
        using var history = new StreamWriter(Path.Combine(directory, "history.om"), false, new UTF8Encoding(false), 1 << 20);
        History(history, workload, end);
    }

    private static string Slos(int services)
    {
        var slos = new StringBuilder("slos:\n");
        for (var i = 0; i < services; i++)
        {
            slos.Append(CultureInfo.InvariantCulture,
                $"  - {{name: {SlothStyleRules.SloId(i)}, service: {CounterWorkload.Service(i)}, objective: {SlothStyleRules.Objective * 100:0.###}, window: 30d, sli: {{kind: ratio, bad: '{CounterWorkload.OtlpMetric}{{code=~\"5..\"}}', total: '{CounterWorkload.OtlpMetric}'}}}}\n");
        }

        return slos.ToString();
    }

    private static void History(StreamWriter history, CounterWorkload workload, DateTimeOffset end)
    {
        var counter = CounterWorkload.PrometheusMetric;
        history.Write(string.Create(CultureInfo.InvariantCulture, $"# TYPE {counter} counter\n"));
        for (var i = 0; i < workload.Services; i++)
        {
            foreach (var errors in (ReadOnlySpan<bool>)[false, true])
            {
                var labels = CounterWorkload.PrometheusLabels(i, errors);
                for (var at = workload.Origin; at <= end; at += HistoryStep)
                {
                    history.Write(string.Create(CultureInfo.InvariantCulture, $"{counter}_total{labels} {workload.Count(i, errors, at)} {at.ToUnixTimeSeconds()}\n"));
                }
            }
        }

        var ratio = SlothStyleRules.RatioMetric;
        history.Write(string.Create(CultureInfo.InvariantCulture, $"# TYPE {ratio} gauge\n"));
        var window = TimeSpan.FromMinutes(5);
        for (var i = 0; i < workload.Services; i++)
        {
            var labels = $"{{{SlothStyleRules.SloLabels(i)},sloth_window=\"5m\"}}";
            for (var at = workload.Origin + window; at <= end; at += HistoryStep)
            {
                double failed = workload.Count(i, true, at) - workload.Count(i, true, at - window);
                double total = failed + workload.Count(i, false, at) - workload.Count(i, false, at - window);
                history.Write(string.Create(CultureInfo.InvariantCulture, $"{ratio}{labels} {(total > 0 ? failed / total : 0):R} {at.ToUnixTimeSeconds()}\n"));
            }
        }

        history.Write("# EOF\n");
    }
}
