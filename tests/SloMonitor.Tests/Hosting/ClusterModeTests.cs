using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
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
    public async Task WithClusterModeLocalhostTheApiAnswersWithTheOwnersFiguresAndTheOwnersSiloPagesForItsBurn()
    {
        await using var service = await StartLocalhostAsync(flushInterval: "00:01:00"); // the test flushes itself
        var before = await service.Http.GetStringAsync("metrics");

        // 12 errors in 600 against a 99.9 % objective: a burn rate of 20 pages.
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 600, 12);
        await service.Services.GetRequiredService<DeltaFlusher>().FlushAsync();
        await service.EvaluateRoundAsync();

        var status = (await service.Http.GetFromJsonAsync<JsonElement>("api/v1/slos/checkout-availability")).GetProperty("status");
        Assert.Equal(600, status.GetProperty("windows").GetProperty("1h").GetProperty("total").GetInt64());
        Assert.Equal("page", status.GetProperty("state").GetString());
        var metrics = await service.Http.GetStringAsync("metrics");
        Assert.True(Value(metrics, "slomon_cluster_owner_reads_total{outcome=\"ok\"}") > Value(before, "slomon_cluster_owner_reads_total{outcome=\"ok\"}"), metrics);

        // The one silo holds every owner: it decides the SLO's alerts, and the page reaches alerting once.
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        var pages = await Poll.UntilAsync(
            () => connection.ExecuteScalarAsync<int>("SELECT count(*) FROM alert WHERE labels->>'slo' = 'checkout-availability' AND labels->>'severity' = 'page' AND ends_at IS NULL"),
            count => count > 0,
            TimeSpan.FromSeconds(20),
            "the page in alerting");
        Assert.Equal(1, pages);
    }

    [Fact]
    public async Task WithClusterModeLocalhostTheFlushAndTheOwnersStateWritesShowOnMetricsAndTheStateIsInTheDatabase()
    {
        await using var service = await StartAsync("localhost", "00:01:00", ("Cluster:OwnerCheckpointInterval", "00:00:00.200")); // the test flushes itself
        var before = await service.Http.GetStringAsync("metrics");

        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 100, 1);
        Assert.Equal(1, await service.Services.GetRequiredService<DeltaFlusher>().FlushAsync());

        var after = await service.Http.GetStringAsync("metrics");
        Assert.Equal(Value(before, "slomon_cluster_delta_batches_total{outcome=\"sent\"}") + 1, Value(after, "slomon_cluster_delta_batches_total{outcome=\"sent\"}"));
        Assert.True(Value(after, "slomon_cluster_delta_bytes_total") > Value(before, "slomon_cluster_delta_bytes_total"), after);
        Assert.Equal(Value(before, "slomon_cluster_flush_duration_seconds_count") + 1, Value(after, "slomon_cluster_flush_duration_seconds_count"));
        Assert.Equal(0, Value(after, "slomon_cluster_delta_queued_batches"));

        // The owner writes what it applied within its interval: counted, and its rows are in the service's database.
        await Poll.UntilAsync(
            async () => Value(await service.Http.GetStringAsync("metrics"), "slomon_cluster_owner_state_writes_total{outcome=\"ok\"}"),
            writes => writes > Value(before, "slomon_cluster_owner_state_writes_total{outcome=\"ok\"}"),
            TimeSpan.FromSeconds(20),
            "an owner state write");
        await using var connection = await service.Database.DataSource.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM cluster_owner_state WHERE slo = 'checkout-availability'") >= 1);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT sequence FROM cluster_owner_applied WHERE slo = 'checkout-availability'"));
    }

    private static double Value(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
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

    [Fact]
    public async Task WithClusterModePostgresTheServiceJoinsThroughItsOwnDatabaseAndItsOwnerGrainGetsTheFlushedCounts()
    {
        await using var service = await StartAsync("postgres", flushInterval: "00:00:00.200", ("Cluster:AdvertisedAddress", "127.0.0.1"), ("Cluster:ClusterId", "checkout-cluster"));

        // Started means joined: the service's silo is an active member in the service's own database.
        await using (var connection = await service.Database.DataSource.OpenConnectionAsync())
        {
            var member = await connection.QuerySingleAsync<(string Address, int Port, int Status)>(
                "SELECT address, port, status FROM cluster_member WHERE cluster_id = 'checkout-cluster'");
            var silo = service.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            Assert.Equal(("127.0.0.1", silo.Endpoint.Port, 3), member); // 3: Orleans' SiloStatus.Active
        }

        var owner = service.Services.GetRequiredService<IGrainFactory>().GetGrain<ISloOwnerGrain>(SloOwnerKey.Of("default", "checkout-availability"));
        await OtlpPush.SpansAsync(service.OtlpHttpEndpoint, "checkout", "/api/pay", 400, 8);
        var reading = await Poll.UntilAsync(() => owner.Read(), r => r.Windows.Single(w => w.Window == "1h").Total == 400, TimeSpan.FromSeconds(20), "400 spans at the owner");

        Assert.Equal(392, reading.Windows.Single(w => w.Window == "1h").Good);
    }

    [Theory]
    [InlineData("--Cluster:Mode=swarm", "Cluster:Mode 'swarm' is not one of none, localhost, postgres")]
    [InlineData("--Cluster:ClusterId=two words", "Cluster:ClusterId 'two words' is not 1 to 63 letters")]
    [InlineData("--Cluster:ServiceId=", "Cluster:ServiceId '' is not 1 to 63 letters")]
    [InlineData("--Cluster:Kubernetes=true", "Cluster:Kubernetes is true but Cluster:Mode is 'none'")]
    [InlineData("--Cluster:SiloPort=70000", "Cluster:SiloPort 70000 is not a port")]
    [InlineData("--Cluster:ProbeTimeout=00:00:00.100", "Cluster:ProbeTimeout 00:00:00.1000000 is not between 500 ms and 1 minute")]
    [InlineData("--Cluster:OwnerInstanceRetention=00:10:00", "Cluster:OwnerInstanceRetention 00:10:00 is not between 1 hour and 30 days")]
    [InlineData("--Cluster:OwnerReadConcurrency=0", "Cluster:OwnerReadConcurrency 0 is not between 1 and 4096")]
    [InlineData("--Cluster:OwnerCheckpointInterval=00:00:00.010", "Cluster:OwnerCheckpointInterval 00:00:00.0100000 is not 0 (off) or between 100 ms and 1 hour")]
    public void ABadClusterSettingStopsStartUpNamingIt(string setting, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServiceHost.Build(["--ConnectionStrings:Postgres=Host=127.0.0.1", setting]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0", "Cluster:AdvertisedAddress '0.0.0.0' is not an address other instances can reach")]
    [InlineData("pod ip", "Cluster:AdvertisedAddress 'pod ip' is neither an IP address nor a host name")]
    public void InPostgresModeAnAdvertisedAddressThatIsNoneStopsStartUpNamingIt(string address, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServiceHost.Build(["--ConnectionStrings:Postgres=Host=127.0.0.1", "--Cluster:Mode=postgres", $"--Cluster:AdvertisedAddress={address}"]));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task InPostgresModeAServiceWhosePostgresDoesNotAnswerStopsStartUpSayingWhy()
    {
        string Port() => TestService.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var app = ServiceHost.Build([
            $"--ConnectionStrings:Postgres=Host=127.0.0.1;Port={Port()};Timeout=1", "--SloMonitor:DatabaseStartupTimeout=00:00:01",
            "--SloMonitor:ListenAddress=127.0.0.1", $"--SloMonitor:HttpPort={Port()}", $"--SloMonitor:OtlpGrpcPort={Port()}", $"--SloMonitor:OtlpHttpPort={Port()}",
            "--Cluster:Mode=postgres", "--Cluster:AdvertisedAddress=127.0.0.1", $"--Cluster:SiloPort={Port()}", $"--Cluster:GatewayPort={Port()}"]);

        var error = await Assert.ThrowsAsync<StartupException>(() => ServiceHost.PrepareAsync(app, CancellationToken.None));

        Assert.StartsWith("Cluster:Mode is postgres, and PostgreSQL did not answer within SloMonitor:DatabaseStartupTimeout (00:00:01)", error.Message, StringComparison.Ordinal);
    }

    private static Task<TestService> StartLocalhostAsync(string flushInterval) => StartAsync("localhost", flushInterval);

    private static Task<TestService> StartAsync(string mode, string flushInterval, params (string Key, string Value)[] more)
    {
        var options = new TestServiceOptions
        {
            SloYaml = Slos,
            Settings =
            {
                ["Cluster:Mode"] = mode,
                ["Cluster:SiloPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Cluster:GatewayPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Cluster:FlushInterval"] = flushInterval,
            },
        };
        foreach (var (key, value) in more)
        {
            options.Settings[key] = value;
        }

        return TestService.StartAsync(options);
    }
}
