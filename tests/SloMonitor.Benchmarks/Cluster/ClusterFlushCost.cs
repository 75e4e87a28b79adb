using System.Diagnostics;
using System.Globalization;
using SloMonitor.Benchmarks.Slos;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Cluster;

/// <summary>
/// What one flush of the cluster path costs and sends: a fleet of <c>slos</c> SLOs (<see cref="SloFleet"/>, ten per
/// service, one of them grouped over four routes), into whose deltas every route of every service gets
/// <c>spans</c> spans between two flushes (latencies spread over the histogram), then a flush. Reports, per flush,
/// the deltas and their bytes (the flush traffic of one SLO per flush interval), the time and the allocation of the
/// flush per delta, the time an owner takes to add one to its series, and the managed heap the deltas take per SLO. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- cluster-flush-cost 10000 10 20</c>
/// (SLOs, spans per route per flush, flushes).
/// </summary>
internal static class ClusterFlushCost
{
    public static int Run(string[] args)
    {
        var slos = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var spans = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var flushes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        var time = new FixedTime(SloFleet.Now);
        var engine = SloFleet.Build(slos, time, minutesOfTraffic: 1);
        var owner = SloFleet.Build(slos, time, minutesOfTraffic: 0); // the owners' series, as one engine
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var recorder = new DeltaRecorder(engine, alsoLocal: false);
        var random = new Random(11);
        var end = SloFleet.Now.ToUnixTimeMilliseconds() * 1_000_000;
        var events = new List<SpanEvent>();
        for (var service = 0; service < slos / 10; service++)
        {
            var name = "svc-" + service.ToString(CultureInfo.InvariantCulture);
            for (var route = 0; route < 13; route++)
            {
                var path = route < 9 ? "/r" + route.ToString(CultureInfo.InvariantCulture) : "/g" + (route - 9).ToString(CultureInfo.InvariantCulture);
                for (var i = 0; i < spans; i++)
                {
                    var duration = (long)(random.NextDouble() * 0.5e9);
                    var status = random.Next(1000) == 0 ? SpanStatusCode.Error : SpanStatusCode.Ok;
                    events.Add(SpanEvent.Create(name, "GET " + path, SpanKind.Server, status, end - duration, end, [new("http.route", path)]));
                }
            }
        }

        Console.WriteLine($"{slos} SLOs, {events.Count} spans between two flushes");
        Console.WriteLine("flush | deltas | bytes per delta | flush per delta | allocated per delta | merge per delta (owner) | spans recorded per second");
        for (var flush = 0; flush <= flushes; flush++)
        {
            var recording = Stopwatch.StartNew();
            foreach (var span in events)
            {
                recorder.OnSpan(span);
            }

            recording.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            var deltas = recorder.Flush();
            watch.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            long bytes = 0;
            foreach (var delta in deltas)
            {
                bytes += delta.Bytes.Length;
            }

            if (flush == 0)
            {
                var heap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the deltas of {slos} SLOs: {heap / 1024.0 / slos:F1} KiB per SLO on the managed heap (both sets, every group)"));
            }

            var merging = Stopwatch.StartNew();
            foreach (var delta in deltas)
            {
                owner.Merge(DeltaFormat.Read(delta.Bytes).ConvertAll(row => new SloSeriesCheckpoint(delta.Slo, row.SeriesKey, row.State)));
            }

            merging.Stop();
            if (flush == 0 || deltas.Count == 0)
            {
                continue; // the first flush also makes the deltas' tracks
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{flush} | {deltas.Count} | {bytes / (double)deltas.Count:F0} B | {watch.Elapsed.TotalMicroseconds / deltas.Count:F1} µs | {allocated / (double)deltas.Count:F0} B | {merging.Elapsed.TotalMicroseconds / deltas.Count:F1} µs | {events.Count / recording.Elapsed.TotalSeconds:F0}"));
        }

        return 0;
    }
}
