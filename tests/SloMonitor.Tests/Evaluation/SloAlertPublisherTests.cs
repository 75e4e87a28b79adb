using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SloMonitor.Alerting;
using SloMonitor.Evaluation;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Evaluation;

public sealed class SloAlertPublisherTests
{
    private const string Slos = """
        slos:
          - name: checkout-latency
            service: checkout
            objective: 99.9
            window: 30d
            labels: {team: payments}
            runbookUrl: https://runbooks.example.com/checkout
            groupBy: [http.route]
            sli:
              kind: availability
              match: 'span.kind="server"'
        """;

    [Fact]
    public async Task AnActiveAlertReachesAlertingWithLabelsLinksAndBurnRatesAndResolvesWhenItEnds()
    {
        await using var service = await StartAsync();
        var publisher = Publisher(service);
        var now = DateTimeOffset.UtcNow;
        var since = now.AddMinutes(-3);

        await publisher.OnEvaluatedAsync([Evaluation(service, now, new ActiveAlert("page", "1h", "5m", 14.4, 20.5, 31.25, since))], CancellationToken.None);

        var (labels, annotations, endsAt) = Assert.Single(await AlertsAsync(service));
        Assert.Equal("SloErrorBudgetBurn", labels["alertname"]);
        Assert.Equal("checkout-latency", labels["slo"]);
        Assert.Equal("checkout", labels["service"]);
        Assert.Equal("page", labels["severity"]);
        Assert.Equal("payments", labels["team"]);
        Assert.Equal("/pay", labels["http_route"]);
        Assert.Equal("https://runbooks.example.com/checkout", annotations["runbook_url"]);
        Assert.Equal($"{service.BaseAddress}ui/slos/checkout-latency?group=http.route%3D%2Fpay", annotations["dashboard_url"]);
        Assert.Contains("Burn rate 20.5 over 1h and 31.25 over 5m (threshold 14.4)", annotations["description"], StringComparison.Ordinal);
        Assert.Contains("40.0 % of the 30d error budget remains", annotations["description"], StringComparison.Ordinal);
        Assert.True(endsAt is null || endsAt > DateTime.UtcNow, "a firing alert has no end in the past");

        await publisher.OnEvaluatedAsync([Evaluation(service, now.AddSeconds(10))], CancellationToken.None);

        var resolved = Assert.Single(await AlertsAsync(service));
        Assert.NotNull(resolved.EndsAt);
        Assert.True(resolved.EndsAt <= DateTime.UtcNow, "the resolution ends the alert now");
    }

    [Fact]
    public async Task TwoPairsOfOneSeverityMakeOneAlertNamedAfterTheFasterBurn()
    {
        await using var service = await StartAsync();
        var publisher = Publisher(service);
        var now = DateTimeOffset.UtcNow;

        await publisher.OnEvaluatedAsync(
            [Evaluation(service, now, new ActiveAlert("page", "6h", "30m", 6, 7, 8, now), new ActiveAlert("page", "1h", "5m", 14.4, 40, 50, now))],
            CancellationToken.None);

        var (_, annotations, _) = Assert.Single(await AlertsAsync(service));
        Assert.Contains("over 1h and 50 over 5m", annotations["description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterARestartAnAlertLeftFiringByTheEarlierProcessIsResolvedWhenItNoLongerHolds()
    {
        await using var service = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var earlier = Publisher(service);
        await earlier.OnEvaluatedAsync([Evaluation(service, now, new ActiveAlert("ticket", "1d", "2h", 3, 4, 5, now))], CancellationToken.None);
        var external = new AlertInput(
            new Dictionary<string, string> { ["alertname"] = "HostDown", ["severity"] = "page" }, new Dictionary<string, string>(), now, null, null);
        await service.Services.GetRequiredService<AlertIngestor>().SubmitAsync([external], CancellationToken.None);

        var restarted = Publisher(service);
        await restarted.OnEvaluatedAsync([Evaluation(service, now.AddSeconds(10))], CancellationToken.None);

        var alerts = await AlertsAsync(service);
        var slo = Assert.Single(alerts, a => a.Labels["alertname"] == "SloErrorBudgetBurn");
        Assert.True(slo.EndsAt <= DateTime.UtcNow, "the SLO alert is resolved");
        var other = Assert.Single(alerts, a => a.Labels["alertname"] == "HostDown");
        Assert.True(other.EndsAt is null || other.EndsAt > DateTime.UtcNow, "alerts of other sources are left alone");
    }

    // The service's own publisher is taken out, so that only the test's publishers send SLO alerts (the service's
    // would resolve, on its first round, what it finds firing and no longer holding).
    private static Task<TestService> StartAsync() =>
        TestService.StartAsync(new TestServiceOptions { SloYaml = Slos, ConfigureServices = services => services.RemoveAll<ISloEvaluationListener>() });

    private static SloAlertPublisher Publisher(TestService service) =>
        ActivatorUtilities.CreateInstance<SloAlertPublisher>(service.Services);

    private static SloEvaluation Evaluation(TestService service, DateTimeOffset at, params ActiveAlert[] alerts)
    {
        var definition = service.Services.GetRequiredService<SloEngine>().Find("checkout-latency")
            ?? throw new InvalidOperationException("the SLO file was not loaded");
        var budget = new ErrorBudgetStatus(100, 60, 40, 0.4, null);
        var status = new SloStatus(alerts.Length > 0 ? "page" : "ok", new Dictionary<string, WindowStatus>(), budget, alerts, at);
        return new SloEvaluation(definition, new Dictionary<string, string> { ["http.route"] = "/pay" }, status);
    }

    private static async Task<List<(Dictionary<string, string> Labels, Dictionary<string, string> Annotations, DateTime? EndsAt)>> AlertsAsync(TestService service)
    {
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Labels, string Annotations, DateTime? EndsAt)>(
            "SELECT labels::text, annotations::text, ends_at FROM alert");
        return rows.Select(r => (
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Labels)!,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Annotations)!,
            r.EndsAt)).ToList();
    }
}
