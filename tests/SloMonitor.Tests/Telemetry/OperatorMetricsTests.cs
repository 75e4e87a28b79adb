using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using SloMonitor.Testing;
using SloMonitor.Tests.Slos;

namespace SloMonitor.Tests.Telemetry;

/// <summary>
/// The series operators watch the service with, each read on <c>/metrics</c> after the event it measures. Checkpoints
/// run in a real process of their own: their gauges are the process's, so the figures can be compared exactly with
/// the database rows and the journal file they describe.
/// </summary>
public sealed class OperatorMetricsTests
{
    private const string Slos = """
        slos:
          - {name: orders-availability, service: orders, objective: 99.9, sli: {kind: availability}}
          - {name: pay-availability, service: pay, objective: 99.9, sli: {kind: availability}}
        """;

    [Fact]
    public async Task CheckpointsShowTheirSizeSeriesAndFailuresAndTheDatabaseItsProbesAndCommands()
    {
        await using var database = await TestDatabase.CreateAsync();
        var directory = Directory.CreateTempSubdirectory("slomonitor-metrics-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "slos.yaml"), Slos);
            var otlpPort = TestService.FreePort();
            var httpPort = TestService.FreePort();
            var environment = ServiceProcess.LoopbackEnvironment(database.ConnectionString, httpPort, otlpPort);
            var journal = environment["Slos__LocalCheckpointFile"];
            environment["Slos__Files__0"] = Path.Combine(directory, "slos.yaml");
            environment["Slos__LocalCheckpointInterval"] = "00:00:00.200";
            environment["Slos__CheckpointInterval"] = "00:00:01";
            environment["SloMonitor__DatabaseProbeInterval"] = "00:00:00.200";
            using var http = await ServiceProcess.AdminClientAsync(database.ConnectionString, httpPort, otlpPort);
            using var service = ServiceProcess.Start(environment);
            Assert.True(await ServiceProcess.PollAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60)), service.Output);

            await OtlpPush.SpansAsync(new Uri($"http://127.0.0.1:{otlpPort}"), "orders", "/api/orders", 100, 3);
            await OtlpPush.SpansAsync(new Uri($"http://127.0.0.1:{otlpPort}"), "pay", "/api/pay", 50, 0);

            // The database checkpoint: as many series and as many bytes as the rows it wrote, and per SLO half of them.
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            string last = "";
            Assert.True(await ServiceProcess.PollAsync(async () =>
            {
                var metrics = last = await http.GetStringAsync("metrics");
                var rows = await connection.QuerySingleAsync<(long Count, long Bytes)>("SELECT count(*), coalesce(sum(length(state)), 0)::bigint FROM slo_state");
                return rows.Count >= 2
                    && Value(metrics, "slomon_checkpoint_series", "database") == rows.Count
                    && Value(metrics, "slomon_checkpoint_bytes", "database") == rows.Bytes
                    && Value(metrics, "slomon_checkpoint_bytes_per_slo", "database") == rows.Bytes / 2.0;
            }, TimeSpan.FromSeconds(30)), last);

            // The journal: its size is the file's, and its last full or partial write is part of it.
            Assert.True(await ServiceProcess.PollAsync(async () =>
            {
                var metrics = last = await http.GetStringAsync("metrics");
                var size = new FileInfo(journal).Length;
                return Value(metrics, "slomon_checkpoint_journal_bytes") == size
                    && Value(metrics, "slomon_checkpoint_bytes", "local") is > 0 and var local && local <= size
                    && Value(metrics, "slomon_checkpoint_duration_seconds_count", "local") >= 2;
            }, TimeSpan.FromSeconds(30)), last);
            Assert.Equal(0, Value(last, "slomon_checkpoint_failures_total", "database") ?? 0);

            // The table away: database checkpoints fail and are counted; the last good figures stay. (A checkpoint that
            // was under way when the table went may still have succeeded: the figures are compared from the first failure.)
            await connection.ExecuteAsync("ALTER TABLE slo_state RENAME TO slo_state_away");
            Assert.True(await ServiceProcess.PollAsync(async () => Value(last = await http.GetStringAsync("metrics"), "slomon_checkpoint_failures_total", "database") >= 1, TimeSpan.FromSeconds(30)), last);
            var bytesBefore = Value(last, "slomon_checkpoint_bytes", "database");
            var failures = Value(last, "slomon_checkpoint_failures_total", "database");
            Assert.True(await ServiceProcess.PollAsync(async () => Value(last = await http.GetStringAsync("metrics"), "slomon_checkpoint_failures_total", "database") >= failures + 2, TimeSpan.FromSeconds(30)), last);
            Assert.Equal(bytesBefore, Value(last, "slomon_checkpoint_bytes", "database"));
            var written = Value(last, "slomon_checkpoint_duration_seconds_count", "database");
            await connection.ExecuteAsync("ALTER TABLE slo_state_away RENAME TO slo_state");
            Assert.True(await ServiceProcess.PollAsync(async () => Value(last = await http.GetStringAsync("metrics"), "slomon_checkpoint_duration_seconds_count", "database") > written, TimeSpan.FromSeconds(30)), last);

            // Probes every 200 ms, and every command the service ran, by outcome.
            Assert.True(Value(last, "slomon_database_probe_duration_seconds_count") >= 3, last);
            Assert.True(Value(last, "slomon_database_command_duration_seconds_count", "ok", label: "outcome") >= 10, last);
            Assert.True(Value(last, "slomon_database_command_duration_seconds_count", "error", label: "outcome") >= 2, last); // the writes into the missing table
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task EveryCommandThroughTheServicesDataSourceIsTimedByOutcome()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions());
        var dataSource = (NpgsqlDataSource)service.Services.GetService(typeof(NpgsqlDataSource))!;
        var before = await service.Http.GetStringAsync("metrics");

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteScalarAsync<int>("SELECT 1");
            await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("SELECT * FROM no_such_table"));
        }

        var after = await service.Http.GetStringAsync("metrics");
        Assert.True(Value(after, "slomon_database_command_duration_seconds_count", "ok", label: "outcome") >= (Value(before, "slomon_database_command_duration_seconds_count", "ok", label: "outcome") ?? 0) + 1, after);
        Assert.True(Value(after, "slomon_database_command_duration_seconds_count", "error", label: "outcome") >= (Value(before, "slomon_database_command_duration_seconds_count", "error", label: "outcome") ?? 0) + 1, after);
    }

    /// <summary>The value of <paramref name="series"/> (with <paramref name="label"/>=<paramref name="value"/> when given), or null.</summary>
    private static double? Value(string metrics, string series, string? value = null, string label = "target")
    {
        var labels = value is null ? "" : $"{{{label}=\"{value}\"}}";
        var match = Regex.Match(metrics, $@"(?m)^{Regex.Escape(series + labels)} (\S+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}
