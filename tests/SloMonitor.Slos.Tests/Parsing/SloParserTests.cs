using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos.Tests.Parsing;

public sealed class SloParserTests
{
    private const string Valid = """
        slos:
          - name: checkout-availability
            service: checkout
            description: Payments succeed
            objective: 99.9
            window: 28d
            labels: {team: payments}
            runbookUrl: https://runbooks.example/checkout
            groupBy: [http.route]
            sli:
              kind: availability
              match: 'span.kind="server", http.route=~"/api/.*"'
              bad: 'http.response.status_code=~"5.."'
            alerting:
              minEvents: 20
              resolveAfter: 10m
              noData: {after: 15m, severity: page}
          - name: checkout-latency
            service: checkout
            objective: 99
            window: month
            timeZone: Europe/Paris
            sli: {kind: latency, threshold: 300ms, percentile: 99}
        """;

    [Fact]
    public void AValidFileGivesEveryFieldOfEachSlo()
    {
        var result = SloParser.ParseYaml(Valid, "slos.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var availability = result.Definitions[0];
        Assert.Equal(("checkout-availability", "checkout", 99.9), (availability.Name, availability.Service, availability.Objective));
        Assert.Equal(TimeSpan.FromDays(28), availability.Window.Rolling);
        Assert.Equal("payments", availability.Labels["team"]);
        Assert.Equal(["http.route"], availability.GroupBy);
        Assert.Equal(SliKind.Availability, availability.Sli.Kind);
        Assert.Equal(20, availability.Alerting.MinEvents);
        Assert.Equal(TimeSpan.FromMinutes(10), availability.Alerting.ResolveAfter);
        Assert.Equal(new NoDataAlert(TimeSpan.FromMinutes(15), "page"), availability.Alerting.NoData);
        Assert.Equal(4, availability.Alerting.Rules.Count);
        var latency = result.Definitions[1];
        Assert.True(latency.Window.IsCalendarMonth);
        Assert.Equal(0.3, latency.Sli.Threshold!.Value, 12);
        Assert.True(latency.Sli.IsTimeslice);
    }

    [Fact]
    public void ErrorsNameTheFileLineAndField()
    {
        var result = SloParser.ParseYaml("""
            slos:
              - name: Bad_Name
                service: checkout
                objective: 120
                sli:
                  kind: latency
                  threshold: fast
                  colour: red
            """, "slos.yaml");

        Assert.False(result.IsValid);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("slos.yaml:2:11: slos[0].name: must match [a-z0-9-]+", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("slos.yaml:4:16: slos[0].objective: must be a percentage", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("slos.yaml:7:18: slos[0].sli.threshold: expected a positive duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("slos.yaml:8:7: slos[0].sli.colour: unknown field 'colour'", StringComparison.Ordinal));
        Assert.Empty(result.Definitions);
    }

    [Fact]
    public void MissingRequiredFieldsAreReportedEachByName()
    {
        var result = SloParser.ParseYaml("- objective: 99\n", "a.yaml");

        var fields = result.Errors.Select(e => e.Field).ToList();
        Assert.Contains("[0].name", fields);
        Assert.Contains("[0].service", fields);
        Assert.Contains("[0].sli", fields);
    }

    [Fact]
    public void AnInvalidSelectorIsReportedWithItsPosition()
    {
        var result = SloParser.ParseYaml("""
            name: pay
            service: checkout
            objective: 99
            sli: {kind: availability, match: 'http.route=~"("'}
            """, "a.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("sli.match", error.Field);
        Assert.Contains("invalid regular expression for 'http.route'", error.Message);
    }

    [Fact]
    public void ARatioNeedsExactlyOneOfGoodOrBad()
    {
        var result = SloParser.ParseYaml("""
            name: pay
            service: checkout
            objective: 99
            sli: {kind: ratio, total: 'requests', good: 'ok', bad: 'failed'}
            """, "a.yaml");

        Assert.Contains(result.Errors, e => e.Message.Contains("exactly one of 'good' or 'bad'"));
    }

    [Fact]
    public void DuplicateNamesInAFileAreAnError()
    {
        var result = SloParser.ParseYaml("""
            - {name: pay, service: a, objective: 99, sli: {kind: availability}}
            - {name: pay, service: b, objective: 99, sli: {kind: availability}}
            """, "a.yaml");

        Assert.Contains(result.Errors, e => e.Message == "'pay' is defined more than once");
    }

    [Fact]
    public void BrokenYamlIsReportedWithItsLine()
    {
        var result = SloParser.ParseYaml("slos:\n  - name: [unclosed\n", "a.yaml");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("a.yaml:", error.Location, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", error.Message);
    }

    [Fact]
    public void JsonBodiesAreValidatedWithJsonPaths()
    {
        var result = SloParser.ParseJson("""{"service": "checkout", "objective": "abc", "sli": {"kind": "latency"}}""", "pay");

        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("$.objective: expected a number, found 'abc'", errors);
        Assert.Contains("$.sli.threshold: is required", errors);
    }

    [Fact]
    public void AJsonBodyTakesItsNameFromThePathAndMustNotContradictIt()
    {
        var ok = SloParser.ParseJson("""{"service": "checkout", "objective": 99.5, "sli": {"kind": "availability"}}""", "pay");
        var contradicting = SloParser.ParseJson("""{"name": "other", "service": "checkout", "objective": 99.5, "sli": {"kind": "availability"}}""", "pay");

        Assert.Equal("pay", Assert.Single(ok.Definitions).Name);
        Assert.Equal("$.name", Assert.Single(contradicting.Errors).Field);
    }

    [Fact]
    public void CustomRulesNeedABurnRateOrABudgetShare()
    {
        var result = SloParser.ParseYaml("""
            name: pay
            service: checkout
            objective: 99
            sli: {kind: availability}
            alerting:
              rules:
                - {severity: page, longWindow: 1h, shortWindow: 5m, burnRate: 10}
                - {severity: ticket, longWindow: 1d, shortWindow: 2h}
            """, "a.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("alerting.rules[1].burnRate", error.Field);
    }

    [Fact]
    public void OpenSloRatioDocumentsAreImported()
    {
        var result = SloParser.ParseYaml("""
            apiVersion: openslo/v1
            kind: SLI
            metadata: {name: pay-success}
            spec:
              ratioMetric:
                counter: true
                good: {metricSource: {type: slomonitor, spec: {query: 'http.server.requests{outcome="ok"}'}}}
                total: {metricSource: {type: slomonitor, spec: {query: 'http.server.requests'}}}
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: pay-availability}
            spec:
              service: checkout
              indicatorRef: pay-success
              timeWindow: [{duration: 28d, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [{target: 0.995}]
            """, "openslo.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var definition = Assert.Single(result.Definitions);
        Assert.Equal(("pay-availability", "checkout", 99.5), (definition.Name, definition.Service, Math.Round(definition.Objective, 9)));
        Assert.Equal(SliKind.Ratio, definition.Sli.Kind);
        Assert.Equal("http.server.requests{outcome=\"ok\"}", definition.Sli.Good);
        Assert.Equal(TimeSpan.FromDays(28), definition.Window.Rolling);
    }

    [Fact]
    public void OpenSloThresholdMetricsWithTimeslicesBecomeGaugeSlis()
    {
        var result = SloParser.ParseYaml("""
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: replica-lag}
            spec:
              service: orders-db
              indicator:
                metadata: {name: lag}
                spec:
                  thresholdMetric:
                    metricSource: {type: slomonitor, spec: {query: 'pg.replication.lag{db.role="replica"}'}}
              timeWindow: [{duration: 1M, calendar: {startTime: "2026-01-01 00:00:00", timeZone: Europe/Paris}}]
              budgetingMethod: Timeslices
              objectives: [{op: lte, value: 5, target: 0.99, timeSliceTarget: 0.99, timeSliceWindow: 2m}]
            """, "openslo.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var definition = Assert.Single(result.Definitions);
        Assert.Equal(SliKind.Gauge, definition.Sli.Kind);
        Assert.Equal(5, definition.Sli.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(2), definition.Sli.SliceLength);
        Assert.True(definition.Window.IsCalendarMonth);
        Assert.Equal("Europe/Paris", definition.Window.TimeZone!.Id);
    }

    [Fact]
    public void OpenSloErrorsNameTheOpenSloField()
    {
        var result = SloParser.ParseYaml("""
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: pay}
            spec:
              service: checkout
              indicatorRef: missing
              timeWindow: [{duration: 28d, isRolling: true}]
              objectives: [{target: 0.99}]
            """, "openslo.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("openslo.yaml:6:17", "spec.indicatorRef"), (error.Location, error.Field));
        Assert.Contains("no SLI named 'missing'", error.Message);
    }
}
