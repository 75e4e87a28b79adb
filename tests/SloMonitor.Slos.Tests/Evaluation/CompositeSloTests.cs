using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

/// <summary>Composite SLOs on a fake clock: SLIs over other SLOs, combined by events or by ratio.</summary>
public sealed class CompositeSloTests
{
    private static string Yaml(string combine, string weights = "{slo: pay, weight: 1}, {slo: browse, weight: 2}") => $$"""
        slos:
          - name: pay
            service: checkout
            objective: 99
            sli: {kind: availability, match: 'http.route="/pay"'}
          - name: browse
            service: checkout
            objective: 99
            sli: {kind: availability, match: 'http.route="/browse"'}
          - name: journey
            service: checkout
            objective: 99.5
            sli: {kind: composite, combine: {{combine}}, parts: [{{weights}}]}
        """;

    private static EngineHarness Harness(string combine)
    {
        var harness = new EngineHarness(Yaml(combine));
        harness.Spans("checkout", TimeSpan.FromMinutes(2), 1_000, 10, attributes: [new("http.route", "/pay")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(2), 100, 50, attributes: [new("http.route", "/browse")]);
        return harness;
    }

    [Fact]
    public void ByEventsTheCompositesGoodAndTotalAreTheWeightedSumsOfItsParts()
    {
        var status = Harness("events").Evaluate("journey").Status;

        var window = status.Windows["30d"];
        Assert.Equal((990 + (2 * 50), 1_000 + (2 * 100)), (window.Good, window.Total));
        Assert.Equal(1090.0 / 1200, status.Windows["30d"].Sli!.Value, 9);
    }

    [Fact]
    public void ByRatioTheCompositesSliIsTheWeightedMeanOfItsPartsSlis()
    {
        var harness = new EngineHarness(Yaml("ratio", "{slo: pay, weight: 1}, {slo: browse, weight: 3}"));
        harness.Spans("checkout", TimeSpan.FromMinutes(2), 1_000, 10, attributes: [new("http.route", "/pay")]);
        harness.Spans("checkout", TimeSpan.FromMinutes(2), 100, 50, attributes: [new("http.route", "/browse")]);

        var status = harness.Evaluate("journey").Status;

        Assert.Equal((0.99 + (3 * 0.5)) / 4, status.Windows["30d"].Sli!.Value, 9);
    }

    [Fact]
    public void ACompositeHasItsOwnBudgetAndAlertsAndPagesWhenItsPartsBurnIt()
    {
        var harness = Harness("events");

        var journey = harness.Evaluate("journey");

        Assert.Equal("page", journey.State); // 9.2 % bad against a 0.5 % budget: burn rate 18 on every window
        Assert.True(journey.ErrorBudgetRemainingRatio < 0);
        Assert.Contains(journey.ActiveAlerts, a => a.Severity == "page");
    }

    [Fact]
    public void ThePartsBudgetAdjustmentsAndTheCompositesOwnAreTakenOut()
    {
        var harness = Harness("events");
        var range = new ExcludedRange((harness.Now - TimeSpan.FromMinutes(10)).ToUnixTimeMilliseconds(), harness.Now.ToUnixTimeMilliseconds() + 1);

        harness.Engine.SetAdjustments("browse", [range]);
        Assert.Equal((990, 1_000), (harness.Evaluate("journey").Status.Windows["30d"].Good, harness.Evaluate("journey").Status.Windows["30d"].Total));

        harness.Engine.SetAdjustments("journey", [range]);
        Assert.Equal(0, harness.Evaluate("journey").Status.Windows["30d"].Total);
    }

    [Fact]
    public void AMissingPartIsNamedAsAProblemAndCountsOnceItIsDefined()
    {
        var parsed = SloParser.ParseYaml("""
            slos:
              - name: journey
                service: checkout
                objective: 95
                sli: {kind: composite, parts: [{slo: pay}, {slo: later}]}
              - name: pay
                service: checkout
                objective: 99
                sli: {kind: availability}
            """, "test.yaml");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        var harness = new EngineHarness("slos: []");
        harness.Engine.Apply(parsed.Definitions);
        harness.Spans("checkout", TimeSpan.FromMinutes(2), 100, 0);

        var before = harness.Evaluate("journey").Status;
        Assert.Contains(before.Problems, p => p.Contains("'later' is not defined", StringComparison.Ordinal));
        Assert.Equal(100, before.Windows["30d"].Total);

        harness.Engine.Set(SloParser.ParseYaml("- {name: later, service: checkout, objective: 99, sli: {kind: availability}}", "b.yaml").Definitions[0]);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 10, 0);
        var after = harness.Evaluate("journey").Status;
        Assert.Empty(after.Problems);
        Assert.Equal(110 + 10, after.Windows["30d"].Total); // pay has 110, later the 10 sent after it existed
    }

    [Theory]
    [InlineData("{kind: composite}", "sli.parts")]
    [InlineData("{kind: composite, parts: [{slo: pay, weight: 0}]}", "sli.parts[0].weight")]
    [InlineData("{kind: composite, parts: [{slo: pay}, {slo: pay}]}", "sli.parts[1].slo")]
    [InlineData("{kind: composite, parts: [{slo: journey}]}", "sli.parts")]
    [InlineData("{kind: composite, combine: median, parts: [{slo: pay}]}", "sli.combine")]
    [InlineData("{kind: composite, match: 'http.route=\"/x\"', parts: [{slo: pay}]}", "sli.match")]
    [InlineData("{kind: availability, parts: [{slo: pay}]}", "sli.parts")]
    public void ABadCompositeIsAnErrorNamingItsField(string sli, string field)
    {
        var parsed = SloParser.ParseYaml($"- {{name: journey, service: checkout, objective: 95, sli: {sli}}}", "test.yaml");

        Assert.Contains(parsed.Errors, e => e.Field.EndsWith(field, StringComparison.Ordinal));
    }

    [Fact]
    public void ACompositeCannotBeGroupedAndRoundTripsThroughItsJson()
    {
        var grouped = SloParser.ParseYaml("- {name: journey, service: checkout, objective: 95, groupBy: [http.route], sli: {kind: composite, parts: [{slo: pay}]}}", "test.yaml");
        Assert.Contains(grouped.Errors, e => e.Field.EndsWith("groupBy", StringComparison.Ordinal));

        var definition = SloParser.ParseYaml(Yaml("ratio"), "test.yaml").Definitions.Single(d => d.Name == "journey");
        var json = SloDefinitionJson.WriteText(definition);
        var again = SloParser.ParseJson(json, "journey");

        Assert.True(again.IsValid, string.Join("; ", again.Errors));
        Assert.Equal(json, SloDefinitionJson.WriteText(again.Definitions[0]));
        Assert.Equal(CompositeCombine.Ratio, again.Definitions[0].Sli.Combine);
        Assert.Equal([("pay", 1.0), ("browse", 2.0)], again.Definitions[0].Sli.Parts.Select(p => (p.Slo, p.Weight)));
    }
}
