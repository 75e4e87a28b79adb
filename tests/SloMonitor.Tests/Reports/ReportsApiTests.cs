using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Reports;

/// <summary>Compliance reports through the real host: SLI figures from the series, incident figures from PostgreSQL, JSON and CSV.</summary>
public sealed class ReportsApiTests
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
            labels: {team: "=HYPERLINK(1)"}
            sli: {kind: availability}
          - name: idle-availability
            service: idle
            objective: 99.9
            sli: {kind: availability}
        """;

    [Fact]
    public async Task EachSloGetsItsEventsSliObjectiveBudgetAndIncidentTimesAndEachTeamASummary()
    {
        await using var service = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        await AddIncidentAsync(service, "checkout-availability", now.AddMinutes(-30), acknowledgedAfter: 60, resolvedAfter: 600, alerts: 2);
        await AddIncidentAsync(service, "checkout-availability", now.AddMinutes(-20), acknowledgedAfter: 180, resolvedAfter: null, alerts: 1);
        await AddIncidentAsync(service, "checkout-availability", now.AddDays(-3), acknowledgedAfter: 5, resolvedAfter: 5, alerts: 1);

        var report = await ReportAsync(service, $"from={Q(now.AddHours(-1))}&to={Q(now.AddMinutes(1))}");

        var rows = report.GetProperty("slos").EnumerateArray().ToDictionary(r => r.GetProperty("slo").GetString()!);
        Assert.Equal(["checkout-availability", "idle-availability", "search-availability"], rows.Keys);
        var checkout = rows["checkout-availability"];
        Assert.Equal((1000, 500), (checkout.GetProperty("totalEvents").GetInt64(), checkout.GetProperty("badEvents").GetInt64()));
        Assert.Equal(0.5, checkout.GetProperty("sli").GetDouble());
        Assert.False(checkout.GetProperty("objectiveMet").GetBoolean());
        Assert.Equal(50, checkout.GetProperty("budgetConsumedRatio").GetDouble(), 9);
        Assert.Equal(3, checkout.GetProperty("alerts").GetInt32());
        var incidents = checkout.GetProperty("incidents");
        Assert.Equal(2, incidents.GetProperty("count").GetInt32());
        Assert.Equal(120, incidents.GetProperty("timeToAcknowledge").GetProperty("medianSeconds").GetDouble(), 6);
        Assert.Equal(180, incidents.GetProperty("timeToAcknowledge").GetProperty("worstSeconds").GetDouble(), 6);
        Assert.Equal(600, incidents.GetProperty("timeToResolve").GetProperty("medianSeconds").GetDouble(), 6);
        Assert.True(checkout.GetProperty("complete").GetBoolean());
        var search = rows["search-availability"];
        Assert.Equal((1000, 0), (search.GetProperty("totalEvents").GetInt64(), search.GetProperty("badEvents").GetInt64()));
        Assert.True(search.GetProperty("objectiveMet").GetBoolean());
        Assert.Equal(0, search.GetProperty("budgetConsumedRatio").GetDouble());
        Assert.Equal(0, search.GetProperty("incidents").GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, search.GetProperty("incidents").GetProperty("timeToAcknowledge").GetProperty("medianSeconds").ValueKind);
        var idle = rows["idle-availability"];
        Assert.Equal(0, idle.GetProperty("totalEvents").GetInt64());
        Assert.Equal(JsonValueKind.Null, idle.GetProperty("sli").ValueKind);
        Assert.Equal(JsonValueKind.Null, idle.GetProperty("objectiveMet").ValueKind);

        var teams = report.GetProperty("teams").EnumerateArray()
            .Select(t => (t.GetProperty("team").GetString(), t.GetProperty("slos").GetInt32(), t.GetProperty("met").GetInt32(), t.GetProperty("missed").GetInt32(), t.GetProperty("noData").GetInt32(), t.GetProperty("incidents").GetInt32()))
            .ToList();
        Assert.Equal([(null, 1, 0, 0, 1, 0), ("=HYPERLINK(1)", 1, 1, 0, 0, 0), ("payments", 1, 0, 1, 0, 2)], teams);
        Assert.Empty(report.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task TheCsvReportHasOneRowPerSloWithTheSameFiguresAndNoCellASpreadsheetWouldRunAsAFormula()
    {
        await using var service = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var range = $"from={Q(now.AddHours(-1))}&to={Q(now.AddMinutes(1))}";
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/reports?" + range + "&team=payments");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await service.Http.SendAsync(request);
        var viaQuery = await service.Http.GetStringAsync("api/v1/reports?" + range + "&format=csv");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var cells = Assert.Single(lines[1..]).Split(',');
        var row = header.Zip(cells).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal("checkout-availability", row["slo"]);
        Assert.Equal("payments", row["team"]);
        Assert.Equal(("1000", "500", "0.5", "false"), (row["totalEvents"], row["badEvents"], row["sli"], row["objectiveMet"]));
        Assert.Equal(50, double.Parse(row["budgetConsumedRatio"], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal("0", row["incidents"]);
        Assert.Equal("true", row["complete"]);

        var all = viaQuery.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, all.Length);
        Assert.Contains(all, l => l.StartsWith("search-availability,search,'=HYPERLINK(1),", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAdjustmentOverTheTrafficTakesItsEventsOutOfTheReport()
    {
        await using var service = await StartAsync();
        var now = DateTimeOffset.UtcNow;
        var adjustment = await service.Http.PostAsJsonAsync("api/v1/slos/checkout-availability/adjustments",
            new { from = now.AddMinutes(-10), to = now.AddMinutes(5), reason = "load test against production" });
        Assert.Equal(HttpStatusCode.Created, adjustment.StatusCode);

        var report = await ReportAsync(service, $"from={Q(now.AddHours(-1))}&to={Q(now.AddMinutes(1))}&service=checkout");

        var row = Assert.Single(report.GetProperty("slos").EnumerateArray());
        Assert.Equal(0, row.GetProperty("totalEvents").GetInt64());
        Assert.Equal(1, row.GetProperty("adjustments").GetProperty("ranges").GetInt32());
        Assert.InRange(row.GetProperty("adjustments").GetProperty("seconds").GetDouble(), 600, 960);
    }

    [Fact]
    public async Task AMonthReportCoversTheCalendarMonthAndSaysWhenTheSeriesHoldLessThanTheRange()
    {
        await using var service = await StartAsync(push: false);

        var report = await ReportAsync(service, "month=2026-01");

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), report.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), report.GetProperty("to").GetDateTimeOffset());
        Assert.All(report.GetProperty("slos").EnumerateArray(), r => Assert.False(r.GetProperty("complete").GetBoolean()));
        Assert.Contains(report.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("dataFrom", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("month=2026-13", "month")]
    [InlineData("month=2026-01&from=2026-01-01T00:00:00Z", "month")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("format=xml", "format")]
    public async Task ABadReportQueryIsA400NamingItsField(string query, string field)
    {
        await using var service = await StartAsync(push: false);

        var response = await service.Http.GetAsync("api/v1/reports?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private static async Task<TestService> StartAsync(bool push = true)
    {
        var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = Slos });
        if (push)
        {
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 500);
            await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "search", "/api/find", 1000, 0);
        }

        return service;
    }

    private static async Task<JsonElement> ReportAsync(TestService service, string query)
    {
        var response = await service.Http.GetAsync("api/v1/reports?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>An incident of <paramref name="slo"/> as alerting writes one, with <paramref name="alerts"/> alerts in it.</summary>
    private static async Task AddIncidentAsync(TestService service, string slo, DateTimeOffset opened, int acknowledgedAfter, int? resolvedAfter, int alerts)
    {
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        await using var insert = new NpgsqlCommand("""
            WITH i AS (
                INSERT INTO incident (tenant, fingerprint, state, severity, title, service, slo, alert_labels, alert_annotations, alert_starts_at,
                                      opened_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by)
                VALUES ('default', @fingerprint, CASE WHEN @resolved::timestamptz IS NULL THEN 'acknowledged' ELSE 'resolved' END, 'page', 'burning',
                        'checkout', @slo, '{}', '{}', @opened, @opened, @acknowledged, 'alice', @resolved, CASE WHEN @resolved::timestamptz IS NULL THEN NULL ELSE 'alice' END)
                RETURNING id)
            INSERT INTO incident_alert (tenant, incident_id, fingerprint, role, alert_starts_at, joined_at)
            SELECT 'default', i.id, @fingerprint || '-' || n, CASE WHEN n = 1 THEN 'primary' ELSE 'joined' END, @opened, @opened
              FROM i, generate_series(1, @alerts) AS n
            """, connection);
        insert.Parameters.AddWithValue("fingerprint", Guid.NewGuid().ToString("N"));
        insert.Parameters.AddWithValue("slo", slo);
        insert.Parameters.AddWithValue("opened", opened);
        insert.Parameters.AddWithValue("acknowledged", opened.AddSeconds(acknowledgedAfter));
        insert.Parameters.AddWithValue("resolved", resolvedAfter is { } r ? opened.AddSeconds(r) : DBNull.Value);
        insert.Parameters.AddWithValue("alerts", alerts);
        await insert.ExecuteNonQueryAsync();
    }

    private static string Q(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
}
