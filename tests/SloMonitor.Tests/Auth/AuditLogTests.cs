using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SloMonitor.Slos.Definitions;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Auth;

/// <summary><c>GET /api/v1/audit</c>: who created, changed or deleted SLOs, silences and tokens, with before and after.</summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task AnSloChangeWhoseAuditRowCannotBeWrittenIsNotStoredEither()
    {
        await using var service = await TestService.StartAsync();
        using var alice = await service.ClientWithAsync("alice", "write", "read");
        Assert.Equal(HttpStatusCode.Created, (await alice.PutAsync("/api/v1/slos/cart", Slo(99))).StatusCode);

        // From now on PostgreSQL refuses every audit row: the change and its record commit together or not at all.
        await using (var command = service.Database.DataSource.CreateCommand(
            """
            CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
            CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        Assert.False((await alice.PutAsync("/api/v1/slos/cart", Slo(99.9))).IsSuccessStatusCode);
        Assert.False((await alice.PutAsync("/api/v1/slos/basket", Slo(99))).IsSuccessStatusCode);
        Assert.False((await alice.DeleteAsync("/api/v1/slos/cart")).IsSuccessStatusCode);
        var apply = await alice.PostAsync("/api/v1/slos/apply", new StringContent(
            """{"slos": [{"name": "basket", "service": "shop", "objective": 99, "sli": {"kind": "availability"}}]}""", Encoding.UTF8, "application/json"));
        Assert.False(apply.IsSuccessStatusCode);

        var cart = await alice.GetFromJsonAsync<JsonElement>("/api/v1/slos/cart");
        Assert.Equal(99, cart.GetProperty("objective").GetDouble());
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/api/v1/slos/basket")).StatusCode);
        var stored = await new SloDefinitionStore(service.Database.DataSource).ListAsync();
        Assert.Equal(["cart"], stored.Select(r => r.Name));
        using var definition = JsonDocument.Parse(Assert.Single(stored).Definition);
        Assert.Equal(99, definition.RootElement.GetProperty("objective").GetDouble());
    }

    [Fact]
    public async Task SloSilenceAndTokenChangesAreRecordedWithTheirPrincipalAndBeforeAndAfter()
    {
        await using var service = await TestService.StartAsync();
        using var alice = await service.ClientWithAsync("alice", "write");

        Assert.Equal(HttpStatusCode.Created, (await alice.PutAsync("/api/v1/slos/cart", Slo(99))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PutAsync("/api/v1/slos/cart", Slo(99.5))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync("/api/v1/slos/cart")).StatusCode);
        using var silence = await alice.PostAsJsonAsync("/api/v1/silences", new { matchers = new[] { "team=\"payments\"" }, endsAt = DateTimeOffset.UtcNow.AddHours(1), comment = "failover" });
        var silenceId = (await silence.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await alice.DeleteAsync($"/api/v1/silences/{silenceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await service.Http.PostAsJsonAsync("/api/v1/tokens", new { name = "grafana", scopes = new[] { "read" } })).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/v1/audit")).StatusCode);
        var entries = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit")).EnumerateArray().ToList();
        Assert.Equal(
            ["token.created:test-admin", "silence.expired:alice", "silence.created:alice", "slo.deleted:alice", "slo.changed:alice", "slo.created:alice"],
            entries.Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("actor").GetString()}"));
        var changed = entries[4];
        Assert.Equal("cart", changed.GetProperty("objectId").GetString());
        Assert.Equal(99, changed.GetProperty("before").GetProperty("objective").GetDouble());
        Assert.Equal(99.5, changed.GetProperty("after").GetProperty("objective").GetDouble());
        Assert.Equal(JsonValueKind.Null, entries[3].GetProperty("after").ValueKind);
        Assert.Equal("expired", entries[1].GetProperty("after").GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("active", entries[1].GetProperty("before").GetProperty("status").GetProperty("state").GetString());
        Assert.DoesNotContain("slom_", entries[0].GetProperty("after").GetRawText().Replace(entries[0].GetProperty("after").GetProperty("hint").GetString()!, "", StringComparison.Ordinal), StringComparison.Ordinal);

        var silences = (await service.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?kind=silence")).EnumerateArray().ToList();
        Assert.Equal(2, silences.Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await service.Http.GetAsync("/api/v1/audit?kind=everything")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await service.Http.GetAsync("/api/v1/audit?limit=0")).StatusCode);
    }

    private static StringContent Slo(double objective) =>
        new("{\"service\": \"cart\", \"objective\": " + objective.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", \"sli\": {\"kind\": \"availability\"}}", Encoding.UTF8, "application/json");
}
