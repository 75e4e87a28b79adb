using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using SloMonitor.Cluster.Flushing;
using SloMonitor.Cluster.Owners;
using SloMonitor.Hosting;
using SloMonitor.Slos.Hosting;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Hosting;

public sealed class ClusterModeTests
{
    private const string Slos = """
        slos:
          - name: checkout-availability
            service: checkout
            objective: 99.9
            window: 30d
            sli:
              kind: availability
              match: 'span.kind="server"'
        """;

    [Fact]
    public async Task WithClusterModeLocalhostTheSloOwnerGrainCountsWhatTheServiceCountsItself()
    {
        await using var service = await StartLocalhostAsync(flushInterval: "00:01:00"); // the test flushes itself

        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 600, 12);
        await service.Services.GetRequiredService<DeltaFlusher>().FlushAsync();
        await service.EvaluateRoundAsync();

        var owner = await service.Services.GetRequiredService<IGrainFactory>()
            .GetGrain<ISloOwnerGrain>(SloOwnerKey.Of("default", "checkout-availability")).Read();
        var local = service.Services.GetRequiredService<SloTenants>().Default.Engine.Status.Find("checkout-availability")!.Overall.Status;

        Assert.True(owner.Defined);
        Assert.Equal(600, owner.Windows.Single(w => w.Window == "1h").Total);
        Assert.Equal(588, owner.Windows.Single(w => w.Window == "1h").Good);
        Assert.Equal(
            local.Windows.Select(w => (w.Key, w.Value.Good, w.Value.Total)),
            owner.Windows.Select(w => (w.Window, w.Good, w.Total)));
    }

    [Fact]
    public async Task WithClusterModeLocalhostTheFlushLoopSendsTheDeltasEveryIntervalByItself()
    {
        await using var service = await StartLocalhostAsync(flushInterval: "00:00:00.200");
        var owner = service.Services.GetRequiredService<IGrainFactory>().GetGrain<ISloOwnerGrain>(SloOwnerKey.Of("default", "checkout-availability"));

        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 300, 3);
        await Poll.UntilAsync(async () => (await owner.Read()).Windows.Single(w => w.Window == "1h").Total, total => total == 300, TimeSpan.FromSeconds(20), "300 spans at the owner");
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 200, 0);
        var reading = await Poll.UntilAsync(() => owner.Read(), r => r.Windows.Single(w => w.Window == "1h").Total == 500, TimeSpan.FromSeconds(20), "500 spans at the owner");

        Assert.Equal(497, reading.Windows.Single(w => w.Window == "1h").Good);
    }

    [Theory]
    [InlineData("swarm", "Cluster:Mode 'swarm' is not one of none, localhost")]
    [InlineData("postgres", "Cluster:Mode 'postgres' is not available yet")]
    public void AClusterModeThatIsNotAvailableStopsStartUpNamingTheSetting(string mode, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServiceHost.Build(["--ConnectionStrings:Postgres=Host=127.0.0.1", $"--Cluster:Mode={mode}"]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    private static Task<TestService> StartLocalhostAsync(string flushInterval) => TestService.StartAsync(new TestServiceOptions
    {
        SloYaml = Slos,
        Settings =
        {
            ["Cluster:Mode"] = "localhost",
            ["Cluster:SiloPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Cluster:GatewayPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Cluster:FlushInterval"] = flushInterval,
        },
    });
}
