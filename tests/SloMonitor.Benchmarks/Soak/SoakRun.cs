using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using SloMonitor.Benchmarks.Ingest;

namespace SloMonitor.Benchmarks.Soak;

/// <summary>
/// A soak run over loopback against a running service: defines 1,000 SLOs (100 services × 10: seven availability,
/// three latency, one of them grouped by route) through the API, then sends OTLP/HTTP protobuf batches of 512 spans
/// to those services at a fixed rate for a given time, and reads the service's own /metrics every 10 seconds:
/// resident memory, managed heap, CPU and the garbage collector's pauses. Prints the memory growth after warm-up
/// (the first fifth of the run), the pause p99 and every failed request. A rate of 0 sends as fast as the clients
/// can, to measure the maximum. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- soak http://127.0.0.1:8080 http://127.0.0.1:4318 SECONDS SPANS_PER_SECOND [CLIENTS] [TOKEN]</c>.
/// </summary>
internal static partial class SoakRun
{
    private const int Services = 100;
    private const int SlosPerService = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var api = new Uri(args[1]);
        var otlp = new Uri(args[2]);
        var duration = TimeSpan.FromSeconds(int.Parse(args[3], CultureInfo.InvariantCulture));
        var rate = int.Parse(args[4], CultureInfo.InvariantCulture);
        var clients = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 4;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        if (args.Length > 6)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", args[6]);
        }

        await DefineSlosAsync(http, api);
        Console.WriteLine($"{Services * SlosPerService} SLOs defined; sending {(rate == 0 ? "as fast as possible" : rate.ToString("N0", CultureInfo.InvariantCulture) + " spans/s")} for {duration.TotalSeconds:0} s from {clients} clients");

        var batches = new Batches();
        var sent = 0L;
        var failures = 0L;
        var stopwatch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        var senders = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = 0L;
            while (!stop.IsCancellationRequested)
            {
                if (rate > 0)
                {
                    // Each client paces its share: batch n of this client is due at n / (rate / 512 / clients) seconds.
                    var due = TimeSpan.FromSeconds(mine * (double)IngestPayloads.SpansPerBatch * clients / rate);
                    var wait = due - stopwatch.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        try
                        {
                            await Task.Delay(wait, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }
                }

                mine++;
                try
                {
                    using var content = new ByteArrayContent(batches.Next());
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                    using var response = await http.PostAsync(new Uri(otlp, "v1/traces"), content);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref sent, IngestPayloads.SpansPerBatch);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                        Console.WriteLine($"export answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref failures);
                    Console.WriteLine($"export failed: {e.Message}");
                }
            }
        })).ToList();

        var samples = new List<Sample>();
        var warmUp = duration / 5;
        while (!stop.IsCancellationRequested)
        {
            var sample = await SampleAsync(http, api, stopwatch.Elapsed, Interlocked.Read(ref sent));
            samples.Add(sample);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{sample.At.TotalSeconds,6:0} s  {sample.Spans,12:N0} spans  RSS {sample.Rss / 1048576.0,7:0.0} MiB  heap {sample.Heap / 1048576.0,7:0.0} MiB  SLI {sample.SliBytes / 1048576.0,6:0.0} MiB  CPU {sample.CpuSeconds,7:0.0} s  GC pauses {sample.PauseCount,6}"));
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(senders);
        var elapsed = stopwatch.Elapsed;
        var last = await SampleAsync(http, api, elapsed, Interlocked.Read(ref sent));
        samples.Add(last);
        var afterWarmUp = samples.First(s => s.At >= warmUp);
        var peakAfter = samples.Where(s => s.At >= warmUp).Max(s => s.Rss);
        // Resident memory moves with the collector's cycles: compare medians of a minute, not single samples.
        var early = Median(samples.Where(s => s.At >= warmUp && s.At < warmUp + TimeSpan.FromMinutes(1)).Select(s => s.Rss));
        var late = Median(samples.Where(s => s.At >= elapsed - TimeSpan.FromMinutes(1)).Select(s => s.Rss));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{last.Spans:N0} spans in {elapsed.TotalSeconds:0} s ({last.Spans / elapsed.TotalSeconds:N0} spans/s), {failures} failed requests"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU {(last.CpuSeconds - afterWarmUp.CpuSeconds) / (last.At - afterWarmUp.At).TotalSeconds:0.00} cores after warm-up; RSS median of the minute after warm-up ({warmUp.TotalSeconds:0} s) {early / 1048576.0:0.0} MiB, of the last minute {late / 1048576.0:0.0} MiB: growth {100.0 * (late - early) / early:+0.0;-0.0} %; peak {peakAfter / 1048576.0:0.0} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SLI series memory (the service's estimate) after warm-up {afterWarmUp.SliBytes / 1048576.0:0.0} MiB, at the end {last.SliBytes / 1048576.0:0.0} MiB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GC pauses after warm-up: {last.PauseCount - afterWarmUp.PauseCount}, p50 ≤ {PauseQuantile(afterWarmUp, last, 0.5) * 1000:0.###} ms, p99 ≤ {PauseQuantile(afterWarmUp, last, 0.99) * 1000:0.###} ms, longest bucket reached ≤ {PauseQuantile(afterWarmUp, last, 1) * 1000:0.###} ms"));
        return failures == 0 ? 0 : 1;
    }

    private static async Task DefineSlosAsync(HttpClient http, Uri api)
    {
        for (var service = 0; service < Services; service++)
        {
            for (var slo = 0; slo < SlosPerService; slo++)
            {
                var sli = slo < 7
                    ? $"{{\"kind\": \"availability\", \"match\": \"http.route=\\\"/r{slo}\\\"\"}}"
                    : $"{{\"kind\": \"latency\", \"match\": \"http.route=~\\\"/r.*\\\"\", \"threshold\": \"100ms\"}}";
                var groupBy = slo == 9 ? ", \"groupBy\": [\"http.route\"]" : "";
                var body = string.Create(CultureInfo.InvariantCulture, $"{{\"service\": \"soak-{service}\", \"objective\": {(slo < 7 ? 95 : 99)}{groupBy}, \"sli\": {sli}}}");
                using var response = await http.PutAsync(new Uri(api, $"api/v1/slos/soak-{service}-{slo}"), new StringContent(body, Encoding.UTF8, "application/json"));
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"PUT soak-{service}-{slo} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
    }

    private static async Task<Sample> SampleAsync(HttpClient http, Uri api, TimeSpan at, long spans)
    {
        var metrics = await http.GetStringAsync(new Uri(api, "metrics"));
        var buckets = PauseBucket().Matches(metrics).ToDictionary(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        return new Sample(at, spans, Value(metrics, "process_working_set_bytes"), Value(metrics, "dotnet_total_memory_bytes"),
            Value(metrics, "process_cpu_seconds_total"), (long)Value(metrics, "slomon_gc_pause_seconds_count"), buckets, Value(metrics, "slomon_sli_memory_bytes"));
    }

    private static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, $"(?m)^{name} (\\S+)");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The upper bound of the histogram bucket holding quantile <paramref name="q"/> of the pauses between two samples.</summary>
    private static double PauseQuantile(Sample from, Sample to, double q)
    {
        var total = to.PauseCount - from.PauseCount;
        if (total == 0)
        {
            return 0;
        }

        foreach (var (bound, count) in to.PauseBuckets.OrderBy(b => b.Key))
        {
            if (count - from.PauseBuckets.GetValueOrDefault(bound) >= Math.Ceiling(q * total))
            {
                return bound;
            }
        }

        return double.PositiveInfinity;
    }

    [GeneratedRegex("(?m)^slomon_gc_pause_seconds_bucket\\{le=\"([0-9.e+-]+)\"\\} (\\d+)")]
    private static partial Regex PauseBucket();

    private sealed record Sample(TimeSpan At, long Spans, double Rss, double Heap, double CpuSeconds, long PauseCount, Dictionary<double, long> PauseBuckets, double SliBytes);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>Export batches for the soak's services, rebuilt with fresh timestamps every few seconds.</summary>
    private sealed class Batches
    {
        private readonly Lock _lock = new();
        private byte[][] _pool = [];
        private long _builtAt;
        private int _next;

        public byte[] Next()
        {
            lock (_lock)
            {
                var now = Stopwatch.GetTimestamp();
                if (_pool.Length == 0 || Stopwatch.GetElapsedTime(_builtAt, now) > TimeSpan.FromSeconds(5))
                {
                    _pool = Enumerable.Range(0, Services).Select(s => Build($"soak-{s}")).ToArray();
                    _builtAt = now;
                }

                return _pool[_next++ % _pool.Length];
            }
        }

        private static byte[] Build(string service)
        {
            var request = IngestPayloads.Traces(DateTimeOffset.UtcNow);
            request.ResourceSpans[0].Resource.Attributes[0].Value.StringValue = service;
            var spans = request.ResourceSpans[0].ScopeSpans[0].Spans;
            for (var i = 0; i < spans.Count; i++)
            {
                spans[i].Attributes[1].Value.StringValue = "/r" + (i % SlosPerService).ToString(CultureInfo.InvariantCulture);
            }

            return request.ToByteArray();
        }
    }
}
