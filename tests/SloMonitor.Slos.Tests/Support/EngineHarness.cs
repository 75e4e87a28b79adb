using Microsoft.Extensions.Time.Testing;
using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos.Tests.Support;

/// <summary>
/// An engine on a fake clock set to a whole hour, so that every window boundary falls on a slice boundary and the
/// counts per window are exact. Feeds spans and points at times relative to now.
/// </summary>
internal sealed class EngineHarness
{
    public static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An engine running the SLOs of <paramref name="yaml"/>; on <paramref name="time"/> when given (another harness' clock).</summary>
    public EngineHarness(string yaml, SloEngineOptions? options = null, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        Engine = new SloEngine(Time, options ?? new SloEngineOptions());
        var parsed = SloParser.ParseYaml(yaml, "test.yaml");
        Assert.True(parsed.IsValid, string.Join(Environment.NewLine, parsed.Errors));
        Engine.Apply(parsed.Definitions);
    }

    public FakeTimeProvider Time { get; }

    public SloEngine Engine { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary><paramref name="count"/> server spans of <paramref name="service"/> ending at now − <paramref name="ago"/>, the first <paramref name="bad"/> of them errors.</summary>
    public void Spans(string service, TimeSpan ago, int count, int bad, double seconds = 0.05, IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        var end = (Now - ago).ToUnixTimeMilliseconds() * 1_000_000;
        var start = end - (long)(seconds * 1e9);
        var list = attributes?.ToList();
        for (var i = 0; i < count; i++)
        {
            var span = SpanEvent.Create(service, "GET /pay", SpanKind.Server, i < bad ? SpanStatusCode.Error : SpanStatusCode.Ok, start, end, list);
            Engine.OnSpan(span);
        }
    }

    /// <summary>For each minute m in [<paramref name="fromMinute"/>, <paramref name="toMinute"/>] ago: spans at its middle.</summary>
    public void SpansPerMinute(string service, int fromMinute, int toMinute, Func<int, (int Count, int Bad)> perMinute)
    {
        for (var m = fromMinute; m <= toMinute; m++)
        {
            var (count, bad) = perMinute(m);
            Spans(service, TimeSpan.FromMinutes(m) - TimeSpan.FromSeconds(30), count, bad);
        }
    }

    public void Point(in MetricPointEvent point) => Engine.OnMetricPoint(point);

    public long NanosAgo(TimeSpan ago) => (Now - ago).ToUnixTimeMilliseconds() * 1_000_000;

    /// <summary>Runs an evaluation round, as the loop does, and reads the SLO's overall evaluation from the published snapshot.</summary>
    public SloEvaluation Evaluate(string name) => Round(name).Overall;

    /// <summary>Runs an evaluation round and reads the SLO's overall evaluation with the latency quantiles of each window.</summary>
    public SloEvaluation EvaluateWithLatency(string name) => Round(name).WithLatency().Overall;

    /// <summary>Runs an evaluation round and returns the SLO's published entry: overall, groups, latency on demand.</summary>
    public EvaluatedSlo Round(string name)
    {
        Engine.EvaluateRound();
        return Engine.Status.Find(name) ?? throw new InvalidOperationException($"no SLO named {name}");
    }

    public static string Slo(string name, string sli, string extra = "", string objective = "99.9", string window = "30d") => $"""
        slos:
          - name: {name}
            service: checkout
            objective: {objective}
            window: {window}
        {Indent(extra, 4)}
            sli:
        {Indent(sli, 6)}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line.TrimStart('\r')));
}
