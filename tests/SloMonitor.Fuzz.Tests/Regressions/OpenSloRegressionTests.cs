using SloMonitor.Slos.Parsing;

namespace SloMonitor.Fuzz.Tests.Regressions;

/// <summary>Found by fuzzing: an OpenSLO calendar time window without a duration made the importer throw a NullReferenceException.</summary>
public sealed class OpenSloRegressionTests
{
    [Fact]
    public void ACalendarTimeWindowWithoutADurationIsAnErrorNamingTheFieldNotACrash()
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
                    metricSource: {type: slomonitor, spec: {query: 'pg.replication.lag'}}
              timeWindow: [{calendar: {startTime: "2026-01-01 00:00:00", timeZone: Europe/Paris}}]
              budgetingMethod: Timeslices
              objectives: [{op: lte, value: 5, target: 0.99, timeSliceTarget: 0.99, timeSliceWindow: 2m}]
            """, "openslo.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Contains("duration", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("is required", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(result.Definitions);
    }
}
