using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Recording;

/// <summary><c>Slos:MaxGroupSeriesPerTenant</c>: one tenant's SLOs share a cap of group series, and a removed SLO gives its room back.</summary>
public sealed class GroupSeriesBudgetTests
{
    private const string Yaml = """
        slos:
          - name: pay
            service: checkout
            objective: 99
            groupBy: [http.route]
            sli: {kind: availability}
          - name: pay-latency
            service: checkout
            objective: 99
            groupBy: [http.route]
            sli: {kind: latency, threshold: 300ms}
        """;

    [Fact]
    public void ATenantsSlosTogetherHoldNoMoreGroupsThanItsCapAndTheOverallSliStillCountsEveryEvent()
    {
        var harness = new EngineHarness(Yaml, new SloEngineOptions { MaxGroupSeriesPerTenant = 3 });
        foreach (var route in new[] { "/a", "/b", "/c" })
        {
            harness.Spans("checkout", TimeSpan.FromMinutes(1), 10, 0, attributes: [new("http.route", route)]);
        }

        var pay = harness.Round("pay");
        var latency = harness.Round("pay-latency");
        Assert.Equal(3, pay.Groups.Count + latency.Groups.Count);
        Assert.Equal(30, pay.Overall.Status.Windows["5m"].Total);
        Assert.Equal(30, latency.Overall.Status.Windows["5m"].Total);
        var refusedIn = pay.Groups.Count < 3 ? pay : latency;
        Assert.Contains(refusedIn.Overall.Status.Problems, p => p.Contains("Slos:MaxGroupSeriesPerTenant", StringComparison.Ordinal));
    }

    [Fact]
    public void ARemovedSloGivesItsGroupsBackToItsTenant()
    {
        var harness = new EngineHarness(Yaml, new SloEngineOptions { MaxGroupSeriesPerTenant = 2 });
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 1, 0, attributes: [new("http.route", "/a")]);
        Assert.Equal(2, harness.Round("pay").Groups.Count + harness.Round("pay-latency").Groups.Count);

        harness.Engine.Remove("pay-latency");
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 1, 0, attributes: [new("http.route", "/b")]);

        var pay = harness.Round("pay");
        Assert.Equal(["/a", "/b"], pay.Groups.Select(g => g.GroupLabels["http.route"]).Order());
    }

    [Fact]
    public void EachTenantsEngineHasACapOfItsOwn()
    {
        var options = new SloEngineOptions { MaxGroupSeriesPerTenant = 1 };
        var definitions = SloParser.ParseYaml(Yaml, "test.yaml").Definitions;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(EngineHarness.Start);
        var acme = new SloEngine(time, options, "acme");
        var globex = new SloEngine(time, options, "globex");
        acme.Apply([definitions[0]]);
        globex.Apply([definitions[0]]);
        var end = (time.GetUtcNow().ToUnixTimeMilliseconds() - 1000) * 1_000_000;
        foreach (var engine in new[] { acme, globex })
        {
            engine.OnSpan(SloMonitor.Otlp.SpanEvent.Create("checkout", "GET /pay", SloMonitor.Otlp.SpanKind.Server, SloMonitor.Otlp.SpanStatusCode.Ok, end - 1_000_000, end, [new("http.route", "/a")]));
            engine.EvaluateRound();
        }

        Assert.Single(acme.Status.Find("pay")!.Groups);
        Assert.Single(globex.Status.Find("pay")!.Groups);
    }
}
