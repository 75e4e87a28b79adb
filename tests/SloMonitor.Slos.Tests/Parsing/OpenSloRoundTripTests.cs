using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;
using SloMonitor.Testing;

namespace SloMonitor.Slos.Tests.Parsing;

/// <summary>import(export(x)) = x for every SLI kind, read back through the OpenSLO importer.</summary>
public sealed class OpenSloRoundTripTests
{
    public static TheoryData<string> Slos => new()
    {
        // availability over spans, with a match and a bad selector, and every metadata field OpenSLO carries
        """
        name: checkout-availability
        service: checkout
        description: 'Checkout: requests succeed # mostly'
        objective: 99.9
        window: 30d
        labels: {team: payments, tier: "1", "null": "true"}
        runbookUrl: https://runbooks.example.com/checkout
        dashboardUrl: https://grafana.example.com/d/checkout?orgId=1
        sli: {kind: availability, match: 'span.kind="server", http.route=~"/api/.*"', bad: 'http.response.status_code=~"5.."'}
        """,
        // availability over every span of the service, bad meaning status ERROR
        "{name: search-availability, service: search, objective: 99.5, window: 7d, sli: {kind: availability}}",
        // ratio over counters, with good and with bad
        "{name: pay-success, service: pay, objective: 99.95, window: 28d, sli: {kind: ratio, good: 'pay.requests{outcome=\"ok\"}', total: pay.requests}}",
        "{name: pay-retries, service: pay, objective: 99, window: 90m, sli: {kind: ratio, bad: pay.retries, total: pay.calls}}",
        // latency over spans, grouped, with an alerting policy of its own
        """
        name: checkout-latency
        service: checkout
        objective: 99
        window: 7d
        groupBy: [http.route, cloud.region]
        maxGroups: 50
        sli: {kind: latency, match: 'span.kind="server"', threshold: 300ms}
        alerting:
          rules:
            - {severity: page, longWindow: 1h, shortWindow: 5m, burnRate: 14.4}
            - {severity: ticket, longWindow: 1d, shortWindow: 2h, budgetShare: 0.2}
          minEvents: 50
          resolveAfter: 10m
          noData: {after: 15m, severity: page}
          budgetExhaustion:
            - {window: 1h, within: 3d, severity: page}
            - {window: 1d, severity: ticket}
          budgetRemaining: {below: 0.25, severity: ticket}
        policy: {freezeBelow: 0.1, freezeWhilePaging: true}
        """,
        // latency over every span, and over a histogram metric
        "{name: api-latency, service: api, objective: 95, window: 36h, sli: {kind: latency, threshold: 1.5}}",
        "{name: api-metric-latency, service: api, objective: 99.5, sli: {kind: latency, source: metrics, metric: 'http.server.request.duration{http.route=\"/pay\"}', threshold: 250ms}}",
        // percentile latency (time slices) over metrics in a calendar month, and over spans with the default slice
        "{name: checkout-p99, service: checkout, objective: 99.5, window: month, timeZone: Europe/Paris, sli: {kind: latency, source: metrics, metric: http.server.request.duration, threshold: 800ms, percentile: 99, timeslice: 5m}}",
        "{name: checkout-p95, service: checkout, objective: 99, window: month, sli: {kind: latency, threshold: 0.4, percentile: 95}}",
        // gauges: max with its slice, average with the default slice
        "{name: replica-lag, service: orders-db, objective: 99.5, sli: {kind: gauge, metric: 'pg.replication.lag{db.role=\"replica\"}', threshold: 5, timeslice: 2m, lateness: 3m}}",
        "{name: queue-depth, service: orders, objective: 99, alerting: {minEvents: 3}, sli: {kind: gauge, metric: queue.depth, threshold: 1000, aggregation: avg}}",
    };

    [Theory]
    [MemberData(nameof(Slos))]
    public void AnSloExportedToOpenSloImportsBackTheSame(string yaml)
    {
        var original = Parse(yaml, "slo.yaml");

        var export = OpenSloWriter.Write([original]);

        Assert.Empty(export.Skipped);
        var imported = Parse(export.Yaml, "export.yaml");
        SameDefinition.Assert(original, imported);
    }

    [Fact]
    public void EveryExampleSloSurvivesAnExportToOpenSloAndBack()
    {
        var originals = Directory.GetFiles(RepositoryRoot.Combine("deploy", "examples", "slos"), "*.yaml")
            .SelectMany(f => SloParser.ParseFile(f).Definitions).ToList();

        var export = OpenSloWriter.Write(originals);
        var imported = SloParser.ParseYaml(export.Yaml, "export.yaml");

        Assert.True(imported.IsValid, string.Join("\n", imported.Errors) + "\n" + export.Yaml);
        Assert.Equal(originals.Count, imported.Definitions.Count);
        for (var i = 0; i < originals.Count; i++)
        {
            SameDefinition.Assert(originals[i], imported.Definitions[i]);
        }
    }

    [Fact]
    public void TheExportIsOpenSloV1WithTheIndicatorInlineAndTargetsAsRatios()
    {
        var export = OpenSloWriter.Write([Parse("{name: pay, service: pay, objective: 99.9, window: 28d, labels: {team: payments}, sli: {kind: ratio, good: ok, total: all}}", "a.yaml")]);

        Assert.Equal("""
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: pay
              labels:
                team: payments
            spec:
              service: pay
              indicator:
                metadata:
                  name: pay
                spec:
                  ratioMetric:
                    counter: true
                    good:
                      metricSource:
                        type: slomonitor
                        spec:
                          query: ok
                    total:
                      metricSource:
                        type: slomonitor
                        spec:
                          query: all
              timeWindow:
                - duration: 28d
                  isRolling: true
              budgetingMethod: Occurrences
              objectives:
                - target: 0.999

            """, export.Yaml.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void AnSloOpenSloCannotExpressIsLeftOutWithItsReason()
    {
        var gauge = Parse("{name: fast-lag, service: db, objective: 99, sli: {kind: gauge, metric: lag, threshold: 1, timeslice: 30s}}", "a.yaml");
        var ratio = Parse("{name: pay, service: pay, objective: 99, sli: {kind: ratio, good: ok, total: all}}", "b.yaml");

        var export = OpenSloWriter.Write([gauge, ratio]);

        var skipped = Assert.Single(export.Skipped);
        Assert.Equal("fast-lag", skipped.Name);
        Assert.Contains("timeslice 30s", skipped.Reason, StringComparison.Ordinal);
        Assert.StartsWith("# not exported: fast-lag: timeslice 30s", export.Yaml, StringComparison.Ordinal);
        Assert.Equal(["pay"], SloParser.ParseYaml(export.Yaml, "export.yaml").Definitions.Select(d => d.Name));
    }

    [Fact]
    public void AnUnknownSloMonitorAnnotationAndABadAlertingAnnotationAreLocatedErrors()
    {
        const string Spec = """
            spec:
              service: pay
              indicator: {spec: {ratioMetric: {good: {metricSource: {spec: {query: ok}}}, total: {metricSource: {spec: {query: all}}}}}}
              timeWindow: [{duration: 28d, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [{target: 0.99}]
            """;
        var result = SloParser.ParseYaml($"""
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: pay
              annotations:
                slomonitor/runbook: https://runbooks.example.com
                other.example.com/owner: someone
            {Spec}
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: pay-2
              annotations:
                slomonitor/alerting: '{"{"}"minEvents": "many"{"}"}'
            {Spec}
            """, "openslo.yaml");

        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("openslo.yaml:6:25", result.Errors[0].Location);
        Assert.Contains("unknown annotation 'slomonitor/runbook'", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(("openslo.yaml:20:26", "metadata.annotations.slomonitor/alerting.minEvents"), (result.Errors[1].Location, result.Errors[1].Field));
        Assert.Equal([("pay", 1), ("pay-2", 1)], result.Items.Select(i => (i.Name!, i.Errors.Count)));
    }

    [Theory]
    [MemberData(nameof(Slos))]
    public void TheCanonicalJsonOfAnSloReadsBackTheSame(string yaml)
    {
        var original = Parse(yaml, "slo.yaml");

        var parsed = SloParser.ParseJson(SloDefinitionJson.WriteText(original), original.Name);

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        SameDefinition.Assert(original, parsed.Definitions[0]);
    }

    [Fact]
    public void TheCanonicalJsonOfAnSloWithSeveralWindowsReadsBackTheSameAndOpenSloNamesWhyItCannotCarryIt()
    {
        var original = Parse("{name: pay, service: pay, objective: 99, windows: [28d, month, 90d], timeZone: Europe/Paris, sli: {kind: availability}}", "a.yaml");

        var parsed = SloParser.ParseJson(SloDefinitionJson.WriteText(original), original.Name);
        var export = OpenSloWriter.Write([original]);

        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        SameDefinition.Assert(original, parsed.Definitions[0]);
        Assert.Contains("3 windows (28d, month, 90d)", Assert.Single(export.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCanonicalJsonOfEveryExampleSloReadsBackTheSame()
    {
        foreach (var file in Directory.GetFiles(RepositoryRoot.Combine("deploy", "examples", "slos"), "*.yaml"))
        {
            foreach (var original in SloParser.ParseFile(file).Definitions)
            {
                var parsed = SloParser.ParseJson(SloDefinitionJson.WriteText(original), original.Name);
                Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
                SameDefinition.Assert(original, parsed.Definitions[0]);
            }
        }
    }

    private static SloDefinition Parse(string yaml, string file)
    {
        var result = SloParser.ParseYaml(yaml, file);
        Assert.True(result.IsValid, string.Join("\n", result.Errors) + "\n" + yaml);
        return Assert.Single(result.Definitions);
    }
}
