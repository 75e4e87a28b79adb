using System.Globalization;
using System.Net;
using System.Text;

namespace SloMonitor.Benchmarks.SideBySide;

/// <summary>
/// The workload side of <c>tests/SloMonitor.Benchmarks/Footprint/side-by-side.sh</c>, which runs SloMonitor and
/// Prometheus with Sloth-style rules on the same counters. Times are Unix seconds; the origin is where the counters
/// start (30 days back, less a margin).
/// <list type="bullet">
/// <item><c>side-by-side files DIR SERVICES ORIGIN END EXPORTER_PORT SCRAPE_SECONDS</c>: SloMonitor's SLO file,
/// Prometheus's configuration and rules, and the history up to END as OpenMetrics.</item>
/// <item><c>side-by-side backfill OTLP_HTTP_URL SERVICES ORIGIN END</c>: the same history pushed to SloMonitor.</item>
/// <item><c>side-by-side live OTLP_HTTP_URL SERVICES ORIGIN EXPORTER_PORT PUSH_SECONDS RUN_SECONDS</c>: serves the
/// counters on <c>http://127.0.0.1:EXPORTER_PORT/metrics</c> for Prometheus to scrape and pushes them to SloMonitor
/// every PUSH_SECONDS, for RUN_SECONDS.</item>
/// </list>
/// </summary>
internal static class SideBySideFeed
{
    public static async Task<int> RunAsync(string[] args)
    {
        var workload = new CounterWorkload(int.Parse(args[3], CultureInfo.InvariantCulture), Time(args[4]));
        switch (args[1])
        {
            case "files":
                WorkloadFiles.Write(args[2], workload, Time(args[5]), Port(args[6]), int.Parse(args[7], CultureInfo.InvariantCulture));
                return 0;
            case "backfill":
                await BackfillAsync(new Uri(args[2]), workload, Time(args[5]));
                return 0;
            case "live":
                await LiveAsync(new Uri(args[2]), workload, Port(args[5]), Seconds(args[6]), Seconds(args[7]));
                return 0;
            default:
                Console.Error.WriteLine("usage: side-by-side files|backfill|live …");
                return 2;
        }
    }

    private static async Task BackfillAsync(Uri otlp, CounterWorkload workload, DateTimeOffset end)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var push = new CounterPush(http, otlp, workload);
        var instants = new List<DateTimeOffset>();
        var requests = 0;
        for (var at = workload.Origin; at <= end; at += WorkloadFiles.HistoryStep)
        {
            instants.Add(at);
            if (instants.Count == 10)
            {
                await push.SendAsync(instants);
                instants.Clear();
                requests++;
            }
        }

        if (instants.Count > 0)
        {
            await push.SendAsync(instants);
            requests++;
        }

        Console.WriteLine($"backfilled {requests} requests of {workload.Services * 2} series");
    }

    private static async Task LiveAsync(Uri otlp, CounterWorkload workload, int port, TimeSpan every, TimeSpan duration)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var stop = new CancellationTokenSource(duration);
        var serving = ServeAsync(listener, workload, stop.Token);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var push = new CounterPush(http, otlp, workload);
        var pushes = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await push.SendAsync([DateTimeOffset.UtcNow]);
                pushes++;
                await Task.Delay(every, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        listener.Stop();
        var scrapes = await serving;
        Console.WriteLine($"live: {pushes} OTLP pushes, {scrapes} scrapes");
    }

    private static async Task<int> ServeAsync(HttpListener listener, CounterWorkload workload, CancellationToken stop)
    {
        var scrapes = 0;
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                break;
            }

            var now = DateTimeOffset.UtcNow;
            var text = new StringBuilder(workload.Services * 160);
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {CounterWorkload.PrometheusMetric}_total counter\n");
            for (var i = 0; i < workload.Services; i++)
            {
                foreach (var errors in (ReadOnlySpan<bool>)[false, true])
                {
                    text.Append(CultureInfo.InvariantCulture,
                        $"{CounterWorkload.PrometheusMetric}_total{CounterWorkload.PrometheusLabels(i, errors)} {workload.Count(i, errors, now)}\n");
                }
            }

            var body = Encoding.UTF8.GetBytes(text.ToString());
            context.Response.ContentType = "text/plain; version=0.0.4";
            await context.Response.OutputStream.WriteAsync(body, stop);
            context.Response.Close();
            scrapes++;
        }

        return scrapes;
    }

    private static DateTimeOffset Time(string unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(long.Parse(unixSeconds, CultureInfo.InvariantCulture));

    private static int Port(string port) => int.Parse(port, CultureInfo.InvariantCulture);

    private static TimeSpan Seconds(string seconds) => TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture));
}
