using SloMonitor.Cluster.Owners;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Recording;
using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Cluster.Tests.Support;

/// <summary>
/// The SLOs the cluster tests run (an availability SLO and a latency SLO grouped by route), a fake clock on a whole
/// hour, and spans at times relative to it; engines and tenants built with the same definitions, as every instance has them.
/// </summary>
internal sealed class ClusterHarness
{
    public const string Availability = "pay-availability";
    public const string Latency = "pay-latency";
    public static readonly string[] Slos = [Availability, Latency];
    public static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Routes = ["/api/pay", "/api/refund", "/api/status"];

    private const string Yaml = """
        slos:
          - name: pay-availability
            service: checkout
            objective: 99.9
            window: 30d
            sli:
              kind: availability
              match: 'span.kind="server"'
          - name: pay-latency
            service: checkout
            objective: 99
            window: 28d
            groupBy: [http.route]
            sli:
              kind: latency
              match: 'span.kind="server"'
              threshold: 300ms
        """;

    public FakeTimeProvider Time { get; } = new(Start);

    public static IReadOnlyList<SloDefinition> Definitions()
    {
        var parsed = SloParser.ParseYaml(Yaml, "cluster.yaml");
        Assert.True(parsed.IsValid, string.Join(Environment.NewLine, parsed.Errors));
        return parsed.Definitions;
    }

    public SloEngine Engine() => Engine(Yaml);

    /// <summary>An engine running the SLOs of <paramref name="yaml"/> on the harness' clock.</summary>
    public SloEngine Engine(string yaml)
    {
        var parsed = SloParser.ParseYaml(yaml, "cluster.yaml");
        Assert.True(parsed.IsValid, string.Join(Environment.NewLine, parsed.Errors));
        var engine = new SloEngine(Time, new SloEngineOptions());
        engine.Apply(parsed.Definitions);
        return engine;
    }

    /// <summary>An instance's tenants: the default tenant runs the harness' SLOs.</summary>
    public SloTenants Tenants()
    {
        var tenants = new SloTenants(Time, new SloOptions(), NullLoggerFactory.Instance);
        tenants.Default.Engine.Apply(Definitions());
        return tenants;
    }

    /// <summary>
    /// Span number <paramref name="n"/> of a fixed mix: one route of three, an error every seventh, durations from
    /// 1 ms to 900 ms (a third of them above the 300 ms threshold), ending 1 to <paramref name="spreadSeconds"/> seconds ago.
    /// </summary>
    public SpanEvent Span(long n, int spreadSeconds = 600)
    {
        var end = (Time.GetUtcNow() - TimeSpan.FromSeconds(1 + (n % spreadSeconds))).ToUnixTimeMilliseconds() * 1_000_000;
        var seconds = 0.001 * (1 + (n * 7919 % 900));
        var status = n % 7 == 0 ? SpanStatusCode.Error : SpanStatusCode.Ok;
        return SpanEvent.Create("checkout", "POST /pay", SpanKind.Server, status, end - (long)(seconds * 1e9), end, [new("http.route", Routes[n % Routes.Length])]);
    }

    /// <summary>Adds every flushed delta to <paramref name="owner"/>, as an owner grain does.</summary>
    public static void MergeInto(SloEngine owner, IEnumerable<SloDelta> deltas)
    {
        foreach (var delta in deltas)
        {
            var merged = owner.Merge(DeltaFormat.Read(delta.Bytes).ConvertAll(row => new SloSeriesCheckpoint(delta.Slo, row.SeriesKey, row.State)));
            Assert.True(merged > 0, $"a delta of {delta.Slo} fitted none of its tracks");
        }
    }

    /// <summary>Good and total of every track of the SLO (overall first, then groups by key) over the last hour, with the latency buckets.</summary>
    public string Fingerprint(SloEngine engine, string slo)
    {
        Assert.True(engine.Index.TryGet(slo, out var compiled));
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var lines = new List<string>();
        foreach (var (key, track) in compiled.Tracks.All().OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var reading = track.ReadRolling(now, TimeSpan.FromHours(1), withLatency: false);
            var histogram = track.LatencyHistogram(now, TimeSpan.FromHours(1));
            var buckets = histogram is null ? "-" : $"{histogram.Scale}:{histogram.ZeroCount}:{histogram.IndexOffset}:{string.Join(',', histogram.BucketCounts.ToArray())}";
            lines.Add($"[{key}] good={reading.Good} total={reading.Total} latency={buckets}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>An owner's reading equals <paramref name="expected"/> in state, every window, budget and alerts.</summary>
    public static void AssertSameReading(SloReading expected, SloReading actual)
    {
        Assert.True(actual.Defined);
        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.Windows, actual.Windows);
        Assert.Equal(expected.BudgetRemaining, actual.BudgetRemaining);
        Assert.Equal(expected.Alerts, actual.Alerts);
    }
}
