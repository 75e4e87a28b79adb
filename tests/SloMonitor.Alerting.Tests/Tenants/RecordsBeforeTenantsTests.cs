using System.Text.Json;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Spool;

namespace SloMonitor.Alerting.Tests.Tenants;

/// <summary>What was written before tenants existed (outbox payloads, spool records) reads as the default tenant's.</summary>
public sealed class RecordsBeforeTenantsTests
{
    [Fact]
    public void AnOutboxPayloadWithoutATenantIsTheDefaultTenantsNotification()
    {
        const string payload = """
            {"Receiver":"hook","GroupKey":"{}:{slo=\"checkout\"}","Status":"firing","GroupLabels":{"slo":"checkout"},"Alerts":[],
             "CreatedAt":"2026-03-02T10:00:00+00:00","FiringUntil":"2026-03-02T14:10:00+00:00"}
            """;
        var notification = JsonSerializer.Deserialize<Notification>(payload)!;
        Assert.Equal(SloMonitor.Storage.Tenants.Default, notification.Tenant);
        Assert.Equal("hook", notification.Receiver);

        var written = JsonSerializer.Deserialize<Notification>(JsonSerializer.Serialize(notification with { Tenant = "acme" }))!;
        Assert.Equal("acme", written.Tenant);
    }

    [Fact]
    public void ASpooledDecisionAndMuteWithoutATenantAreTheDefaultTenants()
    {
        const string decision = """
            {"Decision":{"Receiver":"hook","GroupKey":"g","Firing":["f"],"Resolved":[],"DecidedAt":"2026-03-02T10:00:00+00:00","Sequence":1,"Messages":[]}}
            """;
        const string mute = """
            {"Work":{"At":"2026-03-02T10:00:00+00:00","Mute":{"Fingerprint":"f","MutedBy":null,"TimelineKind":"routed","Details":{}}}}
            """;
        Assert.Equal(SloMonitor.Storage.Tenants.Default, SpoolRecord.Decode(System.Text.Encoding.UTF8.GetBytes(decision))!.Decision!.Tenant);
        Assert.Equal(SloMonitor.Storage.Tenants.Default, SpoolRecord.Decode(System.Text.Encoding.UTF8.GetBytes(mute))!.Work!.Mute!.Tenant);

        var spooled = new SpoolRecord(Work: new SpooledIncidentWork(DateTimeOffset.UnixEpoch, [new Alerts.Alert("f", new Dictionary<string, string> { ["a"] = "b" },
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null) { Tenant = "acme" }], null));
        Assert.Equal("acme", Assert.Single(SpoolRecord.Decode(spooled.Encode())!.Work!.Alerts!).Tenant);
    }
}
