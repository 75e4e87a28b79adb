using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Alerting;

/// <summary>The real <c>amtool</c> against the real service on loopback, pointed at it as at an Alertmanager.</summary>
public sealed class AmtoolTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99.9
            window: 30d
            labels: {team: payments}
            sli: {kind: availability}
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AmtoolAlertQueryListsAFiringSloAlertAndAnExternalAlertWithTheirLabels()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            SloYaml = Slos,
            Settings = { ["Slos:EvaluationInterval"] = "00:00:00.2", ["Alerting:TickInterval"] = "100ms" },
        });

        // 1.5% errors against a 0.1% budget: the SLO pages (and tickets, which the page inhibits).
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 1000, 15);
        await PostAlertAsync(service, "DiskFull", "db-1", "warning");
        await Poll.UntilAsync(() => AlertNamesAsync(service), n => n.Contains("SloErrorBudgetBurn/page") && n.Contains("SloErrorBudgetBurn/ticket") && n.Contains("DiskFull/warning"), Patience, "the SLO alerts and DiskFull");

        var extended = await Amtool.RunAsync(service.BaseAddress, "-o", "extended", "alert", "query");
        Assert.True(extended.ExitCode == 0, extended.ToString());
        var page = Assert.Single(Lines(extended.Output), l => l.Contains("alertname=\"SloErrorBudgetBurn\"", StringComparison.Ordinal));
        foreach (var label in new[] { "severity=\"page\"", "slo=\"checkout-availability\"", "service=\"checkout\"", "team=\"payments\"" })
        {
            Assert.Contains(label, page, StringComparison.Ordinal);
        }

        Assert.EndsWith("active", page.TrimEnd(), StringComparison.Ordinal);
        var disk = Assert.Single(Lines(extended.Output), l => l.Contains("alertname=\"DiskFull\"", StringComparison.Ordinal));
        Assert.Contains("instance=\"db-1\"", disk, StringComparison.Ordinal);
        Assert.Contains("summary=\"DiskFull on db-1\"", disk, StringComparison.Ordinal);

        // amtool shows active alerts unless asked: the inhibited ticket only with --inhibited.
        Assert.DoesNotContain("severity=\"ticket\"", extended.Output, StringComparison.Ordinal);
        var inhibited = await Amtool.RunAsync(service.BaseAddress, "-o", "extended", "alert", "query", "--inhibited");
        var ticket = Assert.Single(Lines(inhibited.Output), l => l.Contains("severity=\"ticket\"", StringComparison.Ordinal));
        Assert.EndsWith("suppressed", ticket.TrimEnd(), StringComparison.Ordinal);

        var filtered = await Amtool.RunAsync(service.BaseAddress, "alert", "query", "alertname=DiskFull");
        Assert.Equal(["DiskFull"], Lines(filtered.Output).Skip(1).Select(l => l.Split(' ')[0]));

        var json = await Amtool.RunAsync(service.BaseAddress, "-o", "json", "alert", "query", "slo=checkout-availability");
        var shown = Assert.Single(JsonDocument.Parse(json.Output).RootElement.EnumerateArray());
        var incident = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents?slo=checkout-availability")).EnumerateArray()
            .Single(i => i.GetProperty("severity").GetString() == "page");
        Assert.Equal(incident.GetProperty("fingerprint").GetString(), shown.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task AmtoolSilenceAddMutesAMatchingAlertUntilAmtoolSilenceExpireEndsIt()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            AlertingYaml = $"""
                route:
                  receiver: hook
                  groupBy: [alertname, instance]
                  groupWait: 0s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    webhook: {"{"} url: {receiver.Url}hook {"}"}
                """,
            Settings = { ["Alerting:TickInterval"] = "100ms" },
        });

        var add = await Amtool.RunAsync(service.BaseAddress, "silence", "add", "alertname=~\"Disk.*\"", "instance=db-1",
            "--author=alice", "--comment=replacing the disk", "--duration=2h");
        Assert.True(add.ExitCode == 0, add.ToString());
        var silenceId = add.Output.Trim();
        Assert.True(Guid.TryParse(silenceId, out _), add.ToString());

        // DiskFull matches the silence; NodeDown, sent with it, does not and shows the flush happened.
        await PostAlertAsync(service, "DiskFull", "db-1", "page");
        await PostAlertAsync(service, "NodeDown", "web-1", "page");
        await receiver.WaitUntilAsync(r => r.Any(x => x.Body.Contains("NodeDown", StringComparison.Ordinal)), Patience);
        var disk = await IncidentAsync(service, "DiskFull on db-1");
        var silenced = Assert.Single(await TimelineAsync(service, disk), t => t.GetProperty("kind").GetString() == "silenced");
        Assert.Equal(silenceId, silenced.GetProperty("details").GetProperty("silenceId").GetString());
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains("DiskFull", StringComparison.Ordinal));

        var query = await Amtool.RunAsync(service.BaseAddress, "silence", "query");
        var listed = Assert.Single(Lines(query.Output).Skip(1));
        Assert.StartsWith(silenceId, listed, StringComparison.Ordinal);
        Assert.Contains("alertname=~\"Disk.*\"", listed, StringComparison.Ordinal);
        Assert.Contains("instance=\"db-1\"", listed, StringComparison.Ordinal);
        Assert.Contains("test-admin", listed, StringComparison.Ordinal); // the token amtool sent, not its --author
        Assert.Contains("replacing the disk", listed, StringComparison.Ordinal);
        Assert.Equal(silenceId, (await Amtool.RunAsync(service.BaseAddress, "silence", "query", "-q", "instance=db-1")).Output.Trim());
        Assert.Empty((await Amtool.RunAsync(service.BaseAddress, "silence", "query", "-q", "instance=web-1")).Output.Trim());
        var silencedAlerts = await Amtool.RunAsync(service.BaseAddress, "alert", "query", "--silenced");
        Assert.Equal(["DiskFull"], Lines(silencedAlerts.Output).Skip(1).Select(l => l.Split(' ')[0]));

        var expire = await Amtool.RunAsync(service.BaseAddress, "silence", "expire", silenceId);
        Assert.True(expire.ExitCode == 0, expire.ToString());
        Assert.Empty(Lines((await Amtool.RunAsync(service.BaseAddress, "silence", "query")).Output).Skip(1));
        Assert.Equal(silenceId, (await Amtool.RunAsync(service.BaseAddress, "silence", "query", "--expired", "-q")).Output.Trim());

        var sent = await Poll.UntilAsync(() => Task.FromResult(receiver.Requests), r => r.Any(x => x.Body.Contains("DiskFull", StringComparison.Ordinal)), Patience, "the DiskFull notification");
        var notification = sent.First(x => x.Body.Contains("DiskFull", StringComparison.Ordinal)).Json;
        Assert.Equal("firing", notification.GetProperty("status").GetString());
        var kinds = await Poll.UntilAsync(async () => (await TimelineAsync(service, disk)).Select(t => t.GetProperty("kind").GetString()).ToList(),
            k => k.Contains("notified"), Patience, "the notification on the DiskFull timeline");
        Assert.Equal(["created", "routed", "silenced", "routed", "notified"], kinds);

        var unknown = await Amtool.RunAsync(service.BaseAddress, "silence", "expire", Guid.NewGuid().ToString());
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("404", unknown.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AmtoolConfigRoutesDrawsTheRoutingTreeAndRoutesAlertsAsSloMonitorDoes()
    {
        // Secrets come from files, as the routing file requires.
        var secrets = Directory.CreateTempSubdirectory("amtool-secrets-").FullName;
        await File.WriteAllTextAsync(Path.Combine(secrets, "hook-url"), "http://127.0.0.1:9/alertmanager?token=webhook-token-42");
        await File.WriteAllTextAsync(Path.Combine(secrets, "hook-token"), "webhook-bearer-42");
        await File.WriteAllTextAsync(Path.Combine(secrets, "pd-key"), "pd-routing-key-42");
        await File.WriteAllTextAsync(Path.Combine(secrets, "slack-url"), "https://hooks.slack.example/services/T0/B0/slack-secret-42");
        await using var service = await TestService.StartAsync(new TestServiceOptions
        {
            AlertingYaml = $$"""
                route:
                  receiver: oncall
                  groupBy: [alertname, slo]
                  routes:
                    - matchers: ['severity="page"']
                      receiver: pager
                      continue: true
                    - matchers: ['team=~"payments|checkout"']
                      receiver: slack-payments
                      groupWait: 10s
                    - matchers: ['severity="ticket"']
                      receiver: oncall
                      repeatInterval: 24h
                receivers:
                  - name: oncall
                    webhook: { urlFile: "{{secrets}}/hook-url", tokenFile: "{{secrets}}/hook-token" }
                  - name: pager
                    pagerduty: { routingKeyFile: "{{secrets}}/pd-key" }
                  - name: slack-payments
                    slack: { urlFile: "{{secrets}}/slack-url", channel: "#payments" }
                """,
        });

        var routes = await Amtool.RunAsync(service.BaseAddress, "config", "routes");
        Assert.True(routes.ExitCode == 0, routes.ToString());
        Assert.Equal(
            [
                "Routing tree:",
                ".",
                "└── default-route  receiver: oncall",
                "    ├── {severity=\"page\"}  continue: true  receiver: pager",
                "    ├── {team=~\"payments|checkout\"}  receiver: slack-payments",
                "    └── {severity=\"ticket\"}  receiver: oncall",
            ],
            Lines(routes.Output));

        // amtool routes with Alertmanager's own code over the rendered configuration; SloMonitor with its own.
        var cases = new[]
        {
            (Labels: new[] { "severity=page", "team=payments" }, Expected: "pager,slack-payments"),
            (["severity=ticket", "team=search"], "oncall"),
            (["severity=page", "team=search"], "pager"),
            (["severity=info", "team=checkout"], "slack-payments"),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var test = await Amtool.RunAsync(service.BaseAddress, ["config", "routes", "test", .. cases[i].Labels]);
            Assert.Equal(cases[i].Expected, test.Output.Trim());

            var labels = cases[i].Labels.Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
            labels["alertname"] = $"Route{i}";
            using var posted = await service.Http.PostAsJsonAsync("/api/v2/alerts", new[] { new { labels } });
            var ours = Assert.Single((await service.Http.GetFromJsonAsync<JsonElement>($"/api/v2/alerts?filter=alertname%3DRoute{i}")).EnumerateArray());
            Assert.Equal(
                cases[i].Expected.Split(',').Order(),
                ours.GetProperty("receivers").EnumerateArray().Select(r => r.GetProperty("name").GetString()).Order());
        }

        var show = await Amtool.RunAsync(service.BaseAddress, "config", "show");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("receiver: slack-payments", show.Output, StringComparison.Ordinal);
        Assert.Contains("group_wait: 10s", show.Output, StringComparison.Ordinal);
        Assert.Contains("repeat_interval: 24h", show.Output, StringComparison.Ordinal);
        Assert.Contains("source_matchers: ['severity=\"page\"']", show.Output, StringComparison.Ordinal);
        foreach (var secret in new[] { "webhook-token-42", "webhook-bearer-42", "pd-routing-key-42", "slack-secret-42" })
        {
            Assert.DoesNotContain(secret, show.Output, StringComparison.Ordinal);
        }

        Assert.Matches("credentials: '?<secret>'?", show.Output);

        var receivers = await service.Http.GetFromJsonAsync<JsonElement>("/api/v2/receivers");
        Assert.Equal(["oncall", "pager", "slack-payments"], receivers.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
    }

    internal static async Task PostAlertAsync(TestService service, string name, string instance, string severity)
    {
        var alert = new[]
        {
            new
            {
                labels = new Dictionary<string, string> { ["alertname"] = name, ["instance"] = instance, ["severity"] = severity },
                annotations = new Dictionary<string, string> { ["summary"] = $"{name} on {instance}" },
                generatorURL = "http://prometheus.example:9090/graph",
            },
        };
        using var response = await service.Http.PostAsJsonAsync("/api/v2/alerts", alert);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<List<string>> AlertNamesAsync(TestService service) =>
        (await service.Http.GetFromJsonAsync<JsonElement>("/api/v2/alerts")).EnumerateArray()
            .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString() + "/" + a.GetProperty("labels").GetProperty("severity").GetString())
            .ToList();

    private static async Task<long> IncidentAsync(TestService service, string title) =>
        (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/incidents")).EnumerateArray()
            .Single(i => i.GetProperty("title").GetString() == title).GetProperty("id").GetInt64();

    private static async Task<List<JsonElement>> TimelineAsync(TestService service, long incident) =>
        (await service.Http.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{incident}")).GetProperty("timeline").EnumerateArray().ToList();

    private static List<string> Lines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
}
