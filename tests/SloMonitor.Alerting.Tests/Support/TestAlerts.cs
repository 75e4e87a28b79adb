namespace SloMonitor.Alerting.Tests.Support;

/// <summary>Alerts shaped like the ones SLO evaluation produces.</summary>
internal static class TestAlerts
{
    public static AlertInput Slo(string slo, string severity, DateTimeOffset startsAt, DateTimeOffset? endsAt = null, string service = "checkout", string team = "payments") =>
        new(
            new Dictionary<string, string>
            {
                ["alertname"] = "SloBurnRate",
                ["slo"] = slo,
                ["service"] = service,
                ["severity"] = severity,
                ["team"] = team,
            },
            new Dictionary<string, string>
            {
                ["summary"] = $"{slo} is burning its error budget",
                ["description"] = "burn rate 14.4x over 1h and 15.1x over 5m; 62% of the budget remains",
                ["runbook_url"] = $"https://runbooks.example.com/{slo}",
                ["dashboard_url"] = $"https://slomonitor.example.com/slos/{slo}",
            },
            startsAt,
            endsAt,
            $"https://slomonitor.example.com/slos/{slo}");

    public static AlertInput Resolved(AlertInput alert, DateTimeOffset endsAt) => alert with { EndsAt = endsAt };
}
