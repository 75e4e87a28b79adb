using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SloMonitor.Alerting;
using SloMonitor.SloAlerts;
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

        await publisher.OnEvaluatedAsync("default", [Evaluation(service, now, new ActiveAlert("page", "1h", "5m", 14.4, 20.5, 31.25, since))], null, CancellationToken.None);

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

        await publisher.OnEvaluatedAsync("default", [Evaluation(service, now.AddSeconds(10))], null, CancellationToken.None);

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

        await publisher.OnEvaluatedAsync("default", 
            [Evaluation(service, now, new ActiveAlert("page", "6h", "30m", 6, 7, 8, now), new ActiveAlert("page", "1h", "5m", 14.4, 40, 50, now))],
            null,
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
        await earlier.OnEvaluatedAsync("default", [Evaluation(service, now, new ActiveAlert("ticket", "1d", "2h", 3, 4, 5, now))], null, CancellationToken.None);
        var external = new AlertInput(
            new Dictionary<string, string> { ["alertname"] = "HostDown", ["severity"] = "page" }, new Dictionary<string, string>(), now, null, null);
        await service.Services.GetRequiredService<AlertIngestor>().SubmitAsync([external], CancellationToken.None);

        var restarted = Publisher(service);
        await restarted.OnEvaluatedAsync("default", [Evaluation(service, now.AddSeconds(10))], null, CancellationToken.None);

        var alerts = await AlertsAsync(service);
        var slo = Assert.Single(alerts, a => a.Labels["alertname"] == "SloErrorBudgetBurn");
        Assert.True(slo.EndsAt <= DateTime.UtcNow, "the SLO alert is resolved");
        var other = Assert.Single(alerts, a => a.Labels["alertname"] == "HostDown");
        Assert.True(other.EndsAt is null || other.EndsAt > DateTime.UtcNow, "alerts of other sources are left alone");
    }

    // The service's own publisher is taken out, so that only the test's publishers send SLO alerts (the service's
    // would resolve, on its first round, what it finds firing and no longer holding).
    [Fact]
    public async Task BudgetAlertsReachAlertingUnderTheirOwnNamesBesideABurnRateAlertOfTheSameSeverityWithTheForecast()
    {
        await using var service = await StartAsync();
        var publisher = Publisher(service);
        var now = DateTimeOffset.UtcNow;
        var exhaustsAt = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);

        await publisher.OnEvaluatedAsync("default", 
            [Evaluation(
                service,
                now,
                new ActiveAlert("page", "1h", "5m", 14.4, 20, 30, now),
                new ActiveAlert("page", ActiveAlert.BudgetExhaustionKind, "1h", 10.5, 15, 15, now) { RemainingRatio = 0.7, ExhaustsAt = exhaustsAt, Within = "2d" },
                new ActiveAlert("ticket", ActiveAlert.BudgetRemainingKind, "30d", 0.75, 2, 2, now) { RemainingRatio = 0.7 })],
            null,
            CancellationToken.None);

        var alerts = (await AlertsAsync(service)).ToDictionary(a => a.Labels["alertname"] + "/" + a.Labels["severity"]);
        Assert.Equal(["SloErrorBudgetBurn/page", "SloErrorBudgetExhaustion/page", "SloErrorBudgetLow/ticket"], alerts.Keys.Order(StringComparer.Ordinal));
        var exhaustion = alerts["SloErrorBudgetExhaustion/page"];
        Assert.Equal("checkout-latency", exhaustion.Labels["slo"]);
        Assert.Equal("2031-05-06T07:08:09Z", exhaustion.Annotations["budget_exhausts_at"]);
        Assert.Equal("0.7", exhaustion.Annotations["budget_remaining_ratio"]);
        Assert.Contains("runs out at 2031-05-06 07:08 UTC, within 2d", exhaustion.Annotations["description"], StringComparison.Ordinal);
        Assert.Contains("within 2d", exhaustion.Annotations["summary"], StringComparison.Ordinal);
        var low = alerts["SloErrorBudgetLow/ticket"];
        Assert.Contains("less than 75.0 %", low.Annotations["summary"], StringComparison.Ordinal);
        Assert.Equal("0.7", low.Annotations["budget_remaining_ratio"]);
        Assert.False(low.Annotations.ContainsKey("budget_exhausts_at"), "no forecast when nothing says when the budget runs out");

        await publisher.OnEvaluatedAsync("default", [Evaluation(service, now.AddSeconds(10), new ActiveAlert("page", "1h", "5m", 14.4, 20, 30, now))], null, CancellationToken.None);

        var after = (await AlertsAsync(service)).ToDictionary(a => a.Labels["alertname"] + "/" + a.Labels["severity"]);
        Assert.Null(after["SloErrorBudgetBurn/page"].EndsAt);
        Assert.NotNull(after["SloErrorBudgetExhaustion/page"].EndsAt);
        Assert.NotNull(after["SloErrorBudgetLow/ticket"].EndsAt);
    }

    [Fact]
    public async Task InAClusterOnlyTheInstanceThatDecidesForAnSloResolvesItsAlertsAndTheNextOwnerResolvesWhatTheLastLeftFiring()
    {
        await using var service = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var first = Publisher(service);
        var second = Publisher(service);
        HashSet<string> slo = ["checkout-latency"];

        // The first instance owns the SLO and pages; the second, deciding for none, neither sends nor resolves it.
        await second.OnEvaluatedAsync("default", [], new HashSet<string>(), CancellationToken.None);
        await first.OnEvaluatedAsync("default", [Evaluation(service, now, new ActiveAlert("page", "1h", "5m", 14.4, 20, 30, now))], slo, CancellationToken.None);
        await second.OnEvaluatedAsync("default", [], new HashSet<string>(), CancellationToken.None);
        Assert.Null(Assert.Single(await AlertsAsync(service)).EndsAt);

        // The owner moves to the second instance while the burn goes on: the same alert again, not a second one.
        await first.OnEvaluatedAsync("default", [], new HashSet<string>(), CancellationToken.None);
        await second.OnEvaluatedAsync("default", [Evaluation(service, now.AddSeconds(10), new ActiveAlert("page", "1h", "5m", 14.4, 20, 30, now))], slo, CancellationToken.None);
        Assert.Null(Assert.Single(await AlertsAsync(service)).EndsAt);

        // It moves back; the second instance forgets the alert, the first learns it left firing and resolves it once the burn stops.
        await second.OnEvaluatedAsync("default", [], new HashSet<string>(), CancellationToken.None);
        await first.OnEvaluatedAsync("default", [Evaluation(service, now.AddSeconds(20))], slo, CancellationToken.None);
        var resolved = Assert.Single(await AlertsAsync(service));
        Assert.True(resolved.EndsAt <= DateTime.UtcNow, "the new owner resolves the alert the last one left firing");
    }

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
