using System.Text.Json;
using System.Text.RegularExpressions;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>deploy/grafana/slomonitor-dashboard.json: importable as is, and querying only metrics the service exports.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public void TheDashboardAsksForItsPrometheusDataSourceOnImportAndEveryPanelUsesIt()
    {
        using var dashboard = Load();
        var root = dashboard.RootElement;

        var input = Assert.Single(root.GetProperty("__inputs").EnumerateArray());
        Assert.Equal("datasource", input.GetProperty("type").GetString());
        Assert.Equal("prometheus", input.GetProperty("pluginId").GetString());
        Assert.False(root.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null, "an exported dashboard has no id");

        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 8, $"only {panels.Count} panels");
        foreach (var panel in panels)
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
        }

        var titles = panels.Select(p => p.GetProperty("title").GetString()!).ToList();
        Assert.Contains("Error budget remaining", titles);
        Assert.Contains("Error budget burn-down", titles);
        foreach (var pair in new[] { "1h & 5m > 14.4×", "6h & 30m > 6×", "1d & 2h > 3×", "3d & 6h > 1×" })
        {
            Assert.Contains(titles, t => t.EndsWith(pair, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task EveryMetricTheDashboardQueriesIsOneTheServiceExports()
    {
        using var dashboard = Load();
        var queried = MetricName().Matches(dashboard.RootElement.GetRawText()).Select(m => m.Value).ToHashSet();
        Assert.Equal(["slomon_burn_rate", "slomon_error_budget_remaining_ratio", "slomon_sli_ratio", "slomon_slo_alert_active"], queried.Order());

        await using var scenario = await UiScenario.StartAsync();
        var metrics = await scenario.Service.Http.GetStringAsync("/metrics");

        foreach (var name in queried)
        {
            Assert.Contains($"\n{name}{{slo=\"checkout-availability\"", "\n" + metrics, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"slomon_[a-z_]+")]
    private static partial Regex MetricName();

    private static JsonDocument Load() =>
        JsonDocument.Parse(File.ReadAllText(RepositoryRoot.Combine("deploy", "grafana", "slomonitor-dashboard.json")));
}
