using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Slos.Reports;
using SloMonitor.Storage;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Reports;

/// <summary>Monthly summaries in PostgreSQL: written from the series, read back for months the series no longer reach.</summary>
public sealed class MonthlyReportTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99
            labels: {team: payments}
            sli: {kind: availability}
          - name: search-availability
            service: search
            objective: 99
            labels: {team: discovery}
            sli: {kind: availability}
        """;

    private static readonly DateTimeOffset January = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheMonthSoFarIsStoredEveryIntervalWithTheFiguresOfItsReport()
    {
        await using var service = await StartAsync();
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 500);
        var store = new SloMonthSummaryStore(service.Database.DataSource);
        var month = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero);

        var stored = await Poll.UntilAsync(
            async () => (await store.ReadAsync("default", month, month.AddMonths(1))).FirstOrDefault(s => s.Slo == "checkout-availability"),
            s => s is { TotalEvents: 1000 }, TimeSpan.FromSeconds(30), "the month's summary of checkout-availability");

        Assert.Equal((1000, 500), (stored!.TotalEvents, stored.BadEvents));
        Assert.Equal(("checkout", "payments", 99.0, "events"), (stored.Service, stored.Team, stored.Objective, stored.Unit));
        Assert.True(stored.Complete);
        Assert.Equal(month, stored.Month);
    }

    [Fact]
    public async Task AMonthTheSeriesNoLongerReachIsReportedFromItsStoredSummaryDeletedSlosIncluded()
    {
        await using var service = await StartAsync();
        var store = new SloMonthSummaryStore(service.Database.DataSource);
        await store.SaveAsync("default", 
            [
                Summary("checkout-availability", "checkout", "payments", January, total: 2000, bad: 10),
                Summary("retired-availability", "retired", "payments", January, total: 100, bad: 50),
            ],
            January.AddMonths(1));

        var report = await ReportAsync(service, "month=2026-01");

        var rows = report.GetProperty("slos").EnumerateArray().ToDictionary(r => r.GetProperty("slo").GetString()!);
        Assert.Equal(["checkout-availability", "retired-availability", "search-availability"], rows.Keys);
        var checkout = rows["checkout-availability"];
        Assert.Equal((2000, 10), (checkout.GetProperty("totalEvents").GetInt64(), checkout.GetProperty("badEvents").GetInt64()));
        Assert.True(checkout.GetProperty("objectiveMet").GetBoolean());
        Assert.Equal(0.995, checkout.GetProperty("sli").GetDouble(), 9);
        Assert.Equal(0.5, checkout.GetProperty("budgetConsumedRatio").GetDouble(), 9);
        Assert.True(checkout.GetProperty("complete").GetBoolean());
        var retired = rows["retired-availability"];
        Assert.Equal("retired", retired.GetProperty("service").GetString());
        Assert.False(retired.GetProperty("objectiveMet").GetBoolean());
        Assert.False(rows["search-availability"].GetProperty("complete").GetBoolean());
        Assert.Equal(0, rows["search-availability"].GetProperty("totalEvents").GetInt64());

        var payments = await ReportAsync(service, "month=2026-01&team=payments");
        Assert.Equal(["checkout-availability", "retired-availability"], payments.GetProperty("slos").EnumerateArray().Select(r => r.GetProperty("slo").GetString()));
        var team = Assert.Single(payments.GetProperty("teams").EnumerateArray());
        Assert.Equal((2, 1, 1), (team.GetProperty("slos").GetInt32(), team.GetProperty("met").GetInt32(), team.GetProperty("missed").GetInt32()));

        var csv = await service.Http.GetStringAsync("api/v1/reports?month=2026-01&format=csv&service=checkout");
        Assert.Contains("checkout-availability,checkout,payments,99,events,2000,10,0.995,true,0.5,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralWholeMonthsAddUpTheirSummariesAndAMissingMonthLeavesTheRowIncomplete()
    {
        await using var service = await StartAsync();
        var store = new SloMonthSummaryStore(service.Database.DataSource);
        await store.SaveAsync("default", 
            [
                Summary("checkout-availability", "checkout", "payments", January, total: 2000, bad: 10),
                Summary("checkout-availability", "checkout", "payments", January.AddMonths(1), total: 1000, bad: 20),
                Summary("search-availability", "search", "discovery", January, total: 500, bad: 0),
            ],
            January.AddMonths(2));

        var report = await ReportAsync(service, "from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z");

        var rows = report.GetProperty("slos").EnumerateArray().ToDictionary(r => r.GetProperty("slo").GetString()!);
        Assert.Equal((3000, 30), (rows["checkout-availability"].GetProperty("totalEvents").GetInt64(), rows["checkout-availability"].GetProperty("badEvents").GetInt64()));
        Assert.True(rows["checkout-availability"].GetProperty("complete").GetBoolean());
        Assert.Equal(500, rows["search-availability"].GetProperty("totalEvents").GetInt64());
        Assert.False(rows["search-availability"].GetProperty("complete").GetBoolean());
        Assert.Contains(report.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("dataFrom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStoredMonthThatCoveredItsWholeMonthIsNotReplacedByOneThatDidNot()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = new SloMonthSummaryStore(database.DataSource);
        await store.SaveAsync("default", [Summary("checkout-availability", "checkout", null, January, total: 10, bad: 1, complete: false)], January.AddDays(3));
        await store.SaveAsync("default", [Summary("checkout-availability", "checkout", null, January, total: 2000, bad: 10)], January.AddMonths(1));

        await store.SaveAsync("default", [Summary("checkout-availability", "checkout", null, January, total: 5, bad: 5, complete: false)], January.AddMonths(2));

        var row = Assert.Single(await store.ReadAsync("default", January, January.AddMonths(1)));
        Assert.Equal((2000, 10, true), (row.TotalEvents, row.BadEvents, row.Complete));
    }

    private static SloMonthSummary Summary(string slo, string service, string? team, DateTimeOffset month, long total, long bad, bool complete = true) =>
        new(slo, month, service, team, 99, "events", total, bad, 0, 0, complete ? month : month.AddDays(2), month.AddMonths(1), complete);

    private static Task<TestService> StartAsync() => TestService.StartAsync(new TestServiceOptions
    {
        SloYaml = Slos,
        Settings = { ["Slos:MonthSummaryInterval"] = "00:00:01" },
    });

    private static async Task<JsonElement> ReportAsync(TestService service, string query)
    {
        var response = await service.Http.GetAsync("api/v1/reports?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
