using System.Globalization;
using System.Text;

namespace SloMonitor.Benchmarks.SideBySide;

/// <summary>
/// Prometheus recording and alerting rules for the workload's SLOs in the shape Sloth generates them: per SLO an
/// error-ratio recording for each alert window (5m … 3d) over the raw counters, the 30-day ratio as the mean of the
/// 5-minute one, the meta recordings (objective, budget, burn rates, remaining budget) and the two multi-window,
/// multi-burn-rate alerts of the SRE Workbook (page: 14.4 over 1h/5m or 6 over 6h/30m; ticket: 3 over 1d/2h or 1
/// over 3d/6h). Objective 99.9 %, as the SloMonitor SLO file of the same run.
/// </summary>
internal static class SlothStyleRules
{
    public const double Objective = 0.999;
    public const string RatioMetric = "slo:sli_error:ratio_rate5m";

    private static readonly string[] RateWindows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

    public static string SloId(int i) => CounterWorkload.Service(i) + "-requests-availability";

    /// <summary>The labels of an SLO's recordings, without the window.</summary>
    public static string SloLabels(int i) =>
        $"sloth_id=\"{SloId(i)}\",sloth_service=\"{CounterWorkload.Service(i)}\",sloth_slo=\"requests-availability\"";

    public static string Write(int services)
    {
        var rules = new StringBuilder(services * 6000);
        rules.Append("groups:\n");
        for (var i = 0; i < services; i++)
        {
            Recordings(rules, i);
            Meta(rules, i);
            Alerts(rules, i);
        }

        return rules.ToString();
    }

    private static void Recordings(StringBuilder rules, int i)
    {
        var service = CounterWorkload.Service(i);
        var counter = CounterWorkload.PrometheusMetric + "_total";
        rules.Append(CultureInfo.InvariantCulture, $"- name: sloth-slo-sli-recordings-{SloId(i)}\n  rules:\n");
        foreach (var window in RateWindows)
        {
            rules.Append(CultureInfo.InvariantCulture, $$"""
                  - record: slo:sli_error:ratio_rate{{window}}
                    expr: (sum(rate({{counter}}{service="{{service}}",code=~"5.."}[{{window}}]))) / (sum(rate({{counter}}{service="{{service}}"}[{{window}}])))
                    labels: {sloth_id: {{SloId(i)}}, sloth_service: {{service}}, sloth_slo: requests-availability, sloth_window: {{window}}}

                """);
        }

        rules.Append(CultureInfo.InvariantCulture, $$"""
              - record: slo:sli_error:ratio_rate30d
                expr: sum_over_time({{RatioMetric}}{{{SloLabels(i)}}}[30d]) / ignoring (sloth_window) count_over_time({{RatioMetric}}{{{SloLabels(i)}}}[30d])
                labels: {sloth_window: 30d}

            """);
    }

    private static void Meta(StringBuilder rules, int i)
    {
        var labels = SloLabels(i);
        rules.Append(CultureInfo.InvariantCulture, $$"""
            - name: sloth-slo-meta-recordings-{{SloId(i)}}
              rules:
              - record: slo:objective:ratio
                expr: vector({{Objective.ToString("R", CultureInfo.InvariantCulture)}})
                labels: {sloth_id: {{SloId(i)}}, sloth_service: {{CounterWorkload.Service(i)}}, sloth_slo: requests-availability}
              - record: slo:error_budget:ratio
                expr: vector(1-{{Objective.ToString("R", CultureInfo.InvariantCulture)}})
                labels: {sloth_id: {{SloId(i)}}, sloth_service: {{CounterWorkload.Service(i)}}, sloth_slo: requests-availability}
              - record: slo:time_period:days
                expr: vector(30)
                labels: {sloth_id: {{SloId(i)}}, sloth_service: {{CounterWorkload.Service(i)}}, sloth_slo: requests-availability}
              - record: slo:current_burn_rate:ratio
                expr: slo:sli_error:ratio_rate5m{{{labels}}} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio{{{labels}}}
              - record: slo:period_burn_rate:ratio
                expr: slo:sli_error:ratio_rate30d{{{labels}}} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio{{{labels}}}
              - record: slo:period_error_budget_remaining:ratio
                expr: 1 - slo:period_burn_rate:ratio{{{labels}}}
              - record: sloth_slo_info
                expr: vector(1)
                labels: {sloth_id: {{SloId(i)}}, sloth_service: {{CounterWorkload.Service(i)}}, sloth_slo: requests-availability, sloth_objective: "{{Objective * 100:0.###}}"}

            """);
    }

    private static void Alerts(StringBuilder rules, int i)
    {
        var labels = SloLabels(i);
        var budget = (1 - Objective).ToString("R", CultureInfo.InvariantCulture);
        string Over(string window, double burn) =>
            $"max(slo:sli_error:ratio_rate{window}{{{labels}}} > ({burn.ToString(CultureInfo.InvariantCulture)} * {budget})) without (sloth_window)";
        rules.Append(CultureInfo.InvariantCulture, $$"""
            - name: sloth-slo-alerts-{{SloId(i)}}
              rules:
              - alert: RequestsAvailabilityPage
                expr: ({{Over("5m", 14.4)}} and {{Over("1h", 14.4)}}) or ({{Over("30m", 6)}} and {{Over("6h", 6)}})
                labels: {severity: page, sloth_severity: page}
                annotations: {summary: "High error rate on {{CounterWorkload.Service(i)}} requests"}
              - alert: RequestsAvailabilityTicket
                expr: ({{Over("2h", 3)}} and {{Over("1d", 3)}}) or ({{Over("6h", 1)}} and {{Over("3d", 1)}})
                labels: {severity: ticket, sloth_severity: ticket}
                annotations: {summary: "High error rate on {{CounterWorkload.Service(i)}} requests"}

            """);
    }
}
