using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SloMonitor.Slos.Definitions;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

/// <summary>POST /api/v1/slos/apply against the real host and PostgreSQL.</summary>
public sealed class SloApplyApiTests
{
    private const string FileSlos = """
        slos:
          - {name: browse-availability, service: search, objective: 99.5, sli: {kind: availability}}
        """;

    private const string CheckoutFile = """
        slos:
          - name: basket-availability
            service: checkout
            objective: 99.9
            labels: {team: payments}
            sli: {kind: availability, match: 'span.kind="server"'}
          - name: basket-latency
            service: checkout
            objective: 99
            labels: {team: payments}
            sli: {kind: latency, threshold: 300ms}
        """;

    private const string PaymentsFile = """
        - {name: payments-retries, service: payments, objective: 99, labels: {team: payments}, sli: {kind: ratio, bad: payments.retries, total: payments.calls}}
        """;

    [Fact]
    public async Task ApplyingASetCreatesItsSlosStampedWithTheOwnerAndAnswersPerSlo()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = FileSlos });

        var answer = await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile), ("slos/payments.yaml", PaymentsFile)), owner: "team-payments");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(answer.Json["applied"]!.GetValue<bool>());
        Assert.Equal(["basket-availability", "basket-latency", "payments-retries"], answer.Names());
        Assert.All(answer.Slos, s => Assert.Equal("created", s["action"]!.GetValue<string>()));
        Assert.Equal("slos/checkout.yaml:7:5", answer.Slo("basket-latency")["location"]!.GetValue<string>());
        var objective = answer.Change("basket-availability", "objective");
        Assert.Null(objective["from"]);
        Assert.Equal(99.9, objective["to"]!.GetValue<double>());
        Assert.Equal("team-payments", answer.Change("basket-availability", "owner")["to"]!.GetValue<string>());

        var rows = await new SloDefinitionStore(service.Database.DataSource).ListAsync();
        Assert.Equal(["basket-availability", "basket-latency", "payments-retries"], rows.Select(r => r.Name));
        Assert.All(rows, r => Assert.Equal("team-payments", r.Owner));
        using var latency = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/basket-latency"));
        Assert.Equal(0.3, latency.RootElement.GetProperty("sli").GetProperty("threshold").GetDouble(), 12);
        Assert.Equal("api", latency.RootElement.GetProperty("source").GetString());
    }

    [Fact]
    public async Task ReapplyingASetLeavesItUnchangedAndAChangeNamesItsFieldsAndWhetherHistoryRestarts()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = FileSlos });
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile)), owner: "team-payments")).Status);

        var again = await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile)), owner: "team-payments");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.All(again.Slos, s => Assert.Equal("unchanged", s["action"]!.GetValue<string>()));
        Assert.Equal(2, again.Json["summary"]!["unchanged"]!.GetValue<int>());

        var edited = CheckoutFile.Replace("objective: 99.9", "objective: 99.95", StringComparison.Ordinal).Replace("threshold: 300ms", "threshold: 250ms", StringComparison.Ordinal);
        var changed = await ApplyAsync(service, Files(("slos/checkout.yaml", edited)), owner: "team-payments");

        Assert.Equal(HttpStatusCode.OK, changed.Status);
        var availability = changed.Slo("basket-availability");
        Assert.Equal("changed", availability["action"]!.GetValue<string>());
        var change = Assert.Single(availability["changes"]!.AsArray())!;
        Assert.Equal(("objective", 99.9, 99.95), (change["field"]!.GetValue<string>(), change["from"]!.GetValue<double>(), change["to"]!.GetValue<double>()));
        Assert.False(availability["historyRestarts"]!.GetValue<bool>());
        var latency = changed.Slo("basket-latency");
        Assert.Equal("sli.threshold", Assert.Single(latency["changes"]!.AsArray())!["field"]!.GetValue<string>());
        Assert.True(latency["historyRestarts"]!.GetValue<bool>());
        using var stored = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/basket-availability"));
        Assert.Equal(99.95, stored.RootElement.GetProperty("objective").GetDouble());
    }

    [Fact]
    public async Task PruneDeletesOnlyTheSlosOfTheSameOwnerThatTheSetNoLongerNames()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = FileSlos });
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile)), owner: "team-payments")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(service, Files(("other.yaml", PaymentsFile)), owner: "team-other")).Status);
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(service, "hand-made", """{"service": "x", "objective": 99, "sli": {"kind": "availability"}}""")).StatusCode);
        var onlyAvailability = CheckoutFile[..CheckoutFile.IndexOf("  - name: basket-latency", StringComparison.Ordinal)];

        var answer = await ApplyAsync(service, Files(("slos/checkout.yaml", onlyAvailability)), owner: "team-payments", prune: true);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("unchanged", "deleted"), (answer.Slo("basket-availability")["action"]!.GetValue<string>(), answer.Slo("basket-latency")["action"]!.GetValue<string>()));
        Assert.Equal(300.0 / 1000, answer.Change("basket-latency", "sli.threshold")["from"]!.GetValue<double>());
        Assert.Null(answer.Change("basket-latency", "sli.threshold")["to"]);
        Assert.Equal(2, answer.Slos.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/basket-latency")).StatusCode);
        var names = (await new SloDefinitionStore(service.Database.DataSource).ListAsync()).Select(r => r.Name);
        Assert.Equal(["basket-availability", "hand-made", "payments-retries"], names);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("api/v1/slos/browse-availability")).StatusCode);
    }

    [Fact]
    public async Task PruneWithALabelSelectorDeletesOnlyMatchingSlosAndPruneNeedsAnOwnerOrASelector()
    {
        await using var service = await TestService.StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(service, "pay-old", """{"service": "pay", "objective": 99, "labels": {"team": "payments"}, "sli": {"kind": "availability"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(service, "search-old", """{"service": "search", "objective": 99, "labels": {"team": "search"}, "sli": {"kind": "availability"}}""")).StatusCode);

        var answer = await ApplyAsync(service, Files(("payments.yaml", PaymentsFile)), prune: true, selector: "team=payments");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal([("payments-retries", "created"), ("pay-old", "deleted")], answer.Slos.Select(s => (s["name"]!.GetValue<string>(), s["action"]!.GetValue<string>())));
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("api/v1/slos/search-old")).StatusCode);

        var unscoped = await ApplyAsync(service, Files(("payments.yaml", PaymentsFile)), prune: true);
        Assert.Equal(HttpStatusCode.BadRequest, unscoped.Status);
        Assert.Equal("prune", unscoped.Json["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task ADryRunAnswersWhatWouldHappenAndChangesNothing()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = FileSlos });
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile)), owner: "team-payments")).Status);
        var store = new SloDefinitionStore(service.Database.DataSource);
        var before = await store.ListAsync();
        var edited = CheckoutFile.Replace("objective: 99.9", "objective: 99.5", StringComparison.Ordinal)[..CheckoutFile.IndexOf("  - name: basket-latency", StringComparison.Ordinal)];

        var answer = await ApplyAsync(service, Files(("slos/checkout.yaml", edited), ("slos/payments.yaml", PaymentsFile)), owner: "team-payments", prune: true, dryRun: true);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(answer.Json["dryRun"]!.GetValue<bool>());
        Assert.False(answer.Json["applied"]!.GetValue<bool>());
        Assert.Equal(
            [("basket-availability", "changed"), ("payments-retries", "created"), ("basket-latency", "deleted")],
            answer.Slos.Select(s => (s["name"]!.GetValue<string>(), s["action"]!.GetValue<string>())));
        Assert.Equal(before, await store.ListAsync());
        using var availability = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/basket-availability"));
        Assert.Equal(99.9, availability.RootElement.GetProperty("objective").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("api/v1/slos/basket-latency")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/payments-retries")).StatusCode);
    }

    [Fact]
    public async Task OneInvalidDefinitionRejectsTheWholeSetAndNamesWhereItIs()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = FileSlos });
        const string Broken = """
            slos:
              - name: broken
                service: checkout
                objective: 120
                sli: {kind: latency}
            """;

        var answer = await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile), ("slos/broken.yaml", Broken)), owner: "team-payments");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.False(answer.Json["applied"]!.GetValue<bool>());
        Assert.Contains("nothing was applied", answer.Json["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var broken = answer.Slo("broken");
        Assert.Equal("invalid", broken["action"]!.GetValue<string>());
        var errors = broken["errors"]!.AsArray().Select(e => (e!["location"]!.GetValue<string>(), e["field"]!.GetValue<string>())).ToList();
        Assert.Contains(("slos/broken.yaml:4:16", "slos[0].objective"), errors);
        Assert.Contains(("slos/broken.yaml:5:10", "slos[0].sli.threshold"), errors);
        Assert.Equal("created", answer.Slo("basket-availability")["action"]!.GetValue<string>());
        Assert.Empty(await new SloDefinitionStore(service.Database.DataSource).ListAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("api/v1/slos/basket-availability")).StatusCode);
    }

    [Fact]
    public async Task ANameGivenTwiceInTheSetIsInvalidAtItsSecondPlace()
    {
        await using var service = await TestService.StartAsync();

        var answer = await ApplyAsync(service, Files(("a.yaml", PaymentsFile), ("b.yaml", PaymentsFile)), owner: "team-payments");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal([("created", "a.yaml:1:3"), ("invalid", "b.yaml:1:3")], answer.Slos.Select(s => (s["action"]!.GetValue<string>(), s["location"]!.GetValue<string>())));
        Assert.Contains("defined more than once in the set (also at a.yaml:1:3)", answer.Slos[1]["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlosDefinedInFilesOrManagedByAnotherOwnerAreRefusedWithTheReason()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { SloYaml = FileSlos });
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(service, Files(("payments.yaml", PaymentsFile)), owner: "team-payments")).Status);
        const string Takeover = """
            - {name: browse-availability, service: search, objective: 99, sli: {kind: availability}}
            - {name: payments-retries, service: payments, objective: 95, sli: {kind: ratio, bad: r, total: t}}
            """;

        var answer = await ApplyAsync(service, Files(("takeover.yaml", Takeover)), owner: "team-search");

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Equal("refused", answer.Slo("browse-availability")["action"]!.GetValue<string>());
        Assert.Contains("defined in the file slos.yaml", answer.Slo("browse-availability")["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("managed by owner 'team-payments'", answer.Slo("payments-retries")["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        using var kept = JsonDocument.Parse(await service.Http.GetStringAsync("api/v1/slos/payments-retries"));
        Assert.Equal(99, kept.RootElement.GetProperty("objective").GetDouble());
    }

    [Fact]
    public async Task AYamlBodyAppliesWithItsOptionsInTheQueryAndJsonDefinitionsAreLocatedByPath()
    {
        await using var service = await TestService.StartAsync();

        using var content = new StringContent(CheckoutFile, Encoding.UTF8, "application/yaml");
        using var response = await service.Http.PostAsync("api/v1/slos/apply?owner=team-payments&dryRun=true", content);
        var yamlAnswer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(yamlAnswer["dryRun"]!.GetValue<bool>());
        Assert.Equal("body:2:5", yamlAnswer["slos"]![0]!["location"]!.GetValue<string>());

        var answer = await ApplyAsync(service, new JsonObject
        {
            ["slos"] = JsonNode.Parse("""[{"name": "pay", "service": "pay", "objective": 99, "sli": {"kind": "availability"}}, {"name": "bad", "service": "pay", "objective": "high", "sli": {"kind": "availability"}}]"""),
        });
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("$.slos[1].objective", answer.Slo("bad")["errors"]![0]!["field"]!.GetValue<string>());

        var unknown = await ApplyAsync(service, new JsonObject { ["slos"] = new JsonArray(), ["force"] = true });
        Assert.Equal(("force", HttpStatusCode.BadRequest), (unknown.Json["field"]!.GetValue<string>(), unknown.Status));
        var empty = await ApplyAsync(service, new JsonObject { ["slos"] = new JsonArray() });
        Assert.Equal(("slos", HttpStatusCode.BadRequest), (empty.Json["field"]!.GetValue<string>(), empty.Status));
    }

    [Fact]
    public async Task ASetLargerThanTheConfiguredLimitIsRefusedNamingTheSetting()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions { Settings = { ["Slos:MaxApplySlos"] = "1" } });

        var answer = await ApplyAsync(service, Files(("slos/checkout.yaml", CheckoutFile)));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Slos:MaxApplySlos", answer.Json["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    internal static JsonObject Files(params (string Path, string Content)[] files) => new()
    {
        ["files"] = new JsonArray([.. files.Select(f => (JsonNode)new JsonObject { ["path"] = f.Path, ["content"] = f.Content })]),
    };

    internal static async Task<ApplyAnswer> ApplyAsync(TestService service, JsonObject body, string? owner = null, bool prune = false, bool dryRun = false, string? selector = null)
    {
        if (owner is not null)
        {
            body["owner"] = owner;
        }

        if (selector is not null)
        {
            body["selector"] = selector;
        }

        body["prune"] = prune;
        body["dryRun"] = dryRun;
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await service.Http.PostAsync("api/v1/slos/apply", content);
        return new ApplyAnswer(response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    internal static Task<HttpResponseMessage> PutAsync(TestService service, string name, string json) =>
        service.Http.PutAsync("api/v1/slos/" + name, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>The status and JSON of an apply's answer, with lookups by SLO name.</summary>
    internal sealed record ApplyAnswer(HttpStatusCode Status, JsonObject Json)
    {
        public IReadOnlyList<JsonObject> Slos => Json["slos"]?.AsArray().Select(s => s!.AsObject()).ToList() ?? [];

        public IReadOnlyList<string> Names() => [.. Slos.Select(s => s["name"]!.GetValue<string>())];

        public JsonObject Slo(string name) => Slos.Single(s => s["name"]?.GetValue<string>() == name);

        public JsonObject Change(string name, string field) => Slo(name)["changes"]!.AsArray().Single(c => c!["field"]!.GetValue<string>() == field)!.AsObject();
    }
}
