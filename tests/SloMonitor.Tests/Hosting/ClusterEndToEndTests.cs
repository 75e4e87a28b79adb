using System.Diagnostics;
using Dapper;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SloMonitor.Testing;
using Xunit.Abstractions;

namespace SloMonitor.Tests.Hosting;

/// <summary>
/// Three real <c>SloMonitor</c> processes in one <c>postgres</c> cluster on 127.0.0.1, fed round robin by the
/// OpenTelemetry .NET SDK's OTLP exporters (one over gRPC, two over HTTP), paging one loopback webhook: they answer
/// as one instance given all the spans would, and when the process holding the SLO's owner is killed under load, the
/// SLO answers again from a survivor with the counts it had written, and no page or incident comes twice.
/// </summary>
public sealed class ClusterEndToEndTests(ITestOutputHelper output)
{
    private const string Slo = "orders-availability";

    private const string Slos = """
        slos:
          - name: orders-availability
            service: orders
            objective: 99.9
            sli: {kind: availability}
        """;

    // The owner writes its state every second: what it applied in the last second before a kill is the most lost.
    private static readonly TimeSpan OwnerCheckpoint = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ThreeProcessesFedRoundRobinAnswerAsOneAndWhenTheOwnersProcessIsKilledItsSloAnswersAgainWithNoPageOrIncidentTwice()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await RecordingReceiver.StartAsync();
        var directory = Directory.CreateTempSubdirectory("slomonitor-cluster-e2e-").FullName;
        var token = await TestTokens.CreateAsync(database.ConnectionString, "cluster-e2e", "admin");
        var instances = new List<Instance>();
        try
        {
            File.WriteAllText(Path.Combine(directory, "slos.yaml"), Slos);
            File.WriteAllText(Path.Combine(directory, "alerting.yaml"), $$"""
                route:
                  receiver: hook
                  groupBy: [alertname, slo, severity]
                  groupWait: 0s
                  groupInterval: 1s
                receivers:
                  - name: hook
                    webhook: { url: {{receiver.Url}}hook }
                """);
            for (var i = 0; i < 3; i++)
            {
                instances.Add(Instance.Start(database.ConnectionString, directory, token, i == 0 ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf));
            }

            foreach (var instance in instances)
            {
                Assert.True(await ServiceProcess.PollAsync(async () => (await instance.Http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(90)), instance.Process.Output);
            }

            // 3,000 spans, one in ten an error (a burn rate of 100: it pages), a third through each instance.
            for (var n = 0; n < 3_000; n++)
            {
                instances[n % 3].Span(error: n % 10 == 0);
            }

            Assert.All(instances, i => Assert.True(i.Exporter.ForceFlush(10_000)));
            foreach (var instance in instances)
            {
                var total = await Poll.UntilAsync(() => instance.TotalAsync(), t => t == 3_000, TimeSpan.FromSeconds(60), $"3,000 spans on instance {instances.IndexOf(instance)}");
                Assert.Equal(3_000, total);
            }

            var statuses = new List<JsonElement>();
            foreach (var instance in instances)
            {
                statuses.Add(await instance.StatusAsync());
            }

            Assert.All(statuses, s => Assert.Equal("page", s.GetProperty("state").GetString()));
            Assert.All(statuses, s => Assert.Equal(2_700, s.GetProperty("windows").GetProperty("1h").GetProperty("good").GetInt64()));
            Assert.All(statuses, s => Assert.Empty(s.GetProperty("problems").EnumerateArray()));
            await receiver.WaitUntilAsync(r => r.Any(IsPage), TimeSpan.FromSeconds(30));

            // The process holding the owner is the one whose owner writes its state.
            var owner = await Poll.UntilAsync(
                async () =>
                {
                    var writing = new List<Instance>();
                    foreach (var instance in instances)
                    {
                        if (Value(await instance.Http.GetStringAsync("metrics"), "slomon_cluster_owner_state_writes_total{outcome=\"ok\"}") > 0)
                        {
                            writing.Add(instance);
                        }
                    }

                    return writing;
                },
                writing => writing.Count == 1,
                TimeSpan.FromSeconds(30),
                "one instance writing the owner's state");
            var victim = owner.Single();
            var survivors = instances.Where(i => i != victim).ToList();

            // Load on all three, then the owner's process is killed, and the load goes on over the two others.
            var sent = new List<(DateTimeOffset At, int Count)>();
            var killedAt = DateTimeOffset.MaxValue;
            var clock = Stopwatch.StartNew();
            var n2 = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(6))
            {
                if (killedAt == DateTimeOffset.MaxValue && clock.Elapsed >= TimeSpan.FromSeconds(2))
                {
                    victim.Process.Signal("KILL");
                    killedAt = DateTimeOffset.UtcNow;
                }

                var alive = killedAt == DateTimeOffset.MaxValue ? instances : survivors;
                for (var k = 0; k < 30; k++, n2++)
                {
                    alive[n2 % alive.Count].Span(error: n2 % 10 == 0);
                }

                sent.Add((DateTimeOffset.UtcNow, 30));
                await Task.Delay(100);
            }

            Assert.Equal(137, await victim.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.All(survivors, i => Assert.True(i.Exporter.ForceFlush(10_000)));

            // The SLO answers again when a survivor's figures come from an owner that evaluated after the kill.
            var recovered = await Poll.UntilAsync(
                async () =>
                {
                    foreach (var survivor in survivors)
                    {
                        var status = await survivor.StatusAsync();
                        if (status.GetProperty("evaluatedAt").GetDateTimeOffset() <= killedAt || status.GetProperty("problems").GetArrayLength() > 0)
                        {
                            return TimeSpan.Zero;
                        }
                    }

                    return DateTimeOffset.UtcNow - killedAt;
                },
                after => after > TimeSpan.Zero,
                TimeSpan.FromSeconds(60),
                "the SLO answering from a moved owner on both survivors");
            output.WriteLine($"the SLO answered again from its moved owner {recovered.TotalSeconds:F1} s after the kill");
            Assert.True(recovered < TimeSpan.FromSeconds(20), $"answered again {recovered} after the kill");

            // Once the survivors' last deltas are in, both show one total: every span sent, less at most what reached
            // the owner in its last checkpoint interval (and the killed instance in its last flush) before the kill;
            // 2.5 s more for the write, the flush and the exporters' batching on a loaded machine.
            var sentTotal = 3_000 + sent.Sum(s => s.Count);
            var atRisk = sent.Where(s => s.At > killedAt - OwnerCheckpoint - TimeSpan.FromSeconds(2.5) && s.At <= killedAt).Sum(s => s.Count);
            var totals = await Poll.UntilAsync(
                async () => (await survivors[0].TotalAsync(), await survivors[1].TotalAsync()),
                t => t.Item1 == t.Item2 && t.Item1 >= sentTotal - atRisk,
                TimeSpan.FromSeconds(30),
                $"both survivors with the same total of at least {sentTotal - atRisk} of {sentTotal}");
            output.WriteLine($"{sentTotal} spans sent, {totals.Item1} counted ({sentTotal - totals.Item1} lost; at most {atRisk} at risk)");
            Assert.True(totals.Item1 <= sentTotal, $"{totals.Item1} counted of {sentTotal} sent: a span counted twice");

            // The moved owner's instance decides the SLO's alerts now: it keeps sending the page, still firing.
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                var page = await Poll.UntilAsync(
                    () => connection.QuerySingleAsync<(DateTime UpdatedAt, DateTime? EndsAt)>(
                        "SELECT updated_at, ends_at FROM alert WHERE labels->>'alertname' = 'SloErrorBudgetBurn' AND labels->>'severity' = 'page'"),
                    row => row.UpdatedAt > killedAt.UtcDateTime + TimeSpan.FromSeconds(1),
                    TimeSpan.FromSeconds(30),
                    "the page sent again by the instance holding the moved owner");
                Assert.Null(page.EndsAt);
            }

            // The page went out once, before the kill; the moved owner's page is the same alert, not a second one.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Single(receiver.Requests, IsPage);
            using var incidents = JsonDocument.Parse(await survivors[0].Http.GetStringAsync($"api/v1/incidents?slo={Slo}"));
            var list = incidents.RootElement.EnumerateArray().Select(i => (Severity: i.GetProperty("severity").GetString(), Title: i.GetProperty("title").GetString())).ToList();
            Assert.Single(list, i => i.Severity == "page");
            Assert.Equal(list.Count, list.Distinct().Count());
        }
        finally
        {
            foreach (var instance in instances)
            {
                instance.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A firing webhook notification of the SLO's burn-rate page.</summary>
    private static bool IsPage(RecordedRequest request) =>
        request.Body.Contains("\"status\":\"firing\"", StringComparison.Ordinal)
        && request.Body.Contains("\"alertname\":\"SloErrorBudgetBurn\"", StringComparison.Ordinal)
        && request.Body.Contains("\"severity\":\"page\"", StringComparison.Ordinal);

    private static double Value(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>One instance: its process, an API client and the exporter that feeds it.</summary>
    private sealed class Instance : IDisposable
    {
        private readonly ActivitySource _source = new("cluster-e2e-" + Guid.NewGuid().ToString("N"));

        private Instance(ServiceProcess process, HttpClient http, TracerProvider exporter)
        {
            Process = process;
            Http = http;
            Exporter = exporter;
        }

        public ServiceProcess Process { get; }

        public HttpClient Http { get; }

        public TracerProvider Exporter { get; private set; } = null!;

        public static Instance Start(string connectionString, string directory, string token, OtlpExportProtocol protocol)
        {
            var httpPort = TestService.FreePort();
            var environment = ServiceProcess.LoopbackEnvironment(connectionString, httpPort);
            environment["Slos__Files__0"] = Path.Combine(directory, "slos.yaml");
            environment["Slos__EvaluationInterval"] = "00:00:01";
            environment["Alerting__File"] = Path.Combine(directory, "alerting.yaml");
            environment["Alerting__TickInterval"] = "100ms";
            environment["Cluster__Mode"] = "postgres";
            environment["Cluster__ClusterId"] = "e2e-cluster";
            environment["Cluster__AdvertisedAddress"] = "127.0.0.1";
            environment["Cluster__SiloPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture);
            environment["Cluster__GatewayPort"] = TestService.FreePort().ToString(CultureInfo.InvariantCulture);
            environment["Cluster__FlushInterval"] = "00:00:00.200";
            environment["Cluster__OwnerCheckpointInterval"] = OwnerCheckpoint.ToString();
            var endpoint = protocol == OtlpExportProtocol.Grpc
                ? new Uri($"http://127.0.0.1:{environment["SloMonitor__OtlpGrpcPort"]}")
                : new Uri($"http://127.0.0.1:{environment["SloMonitor__OtlpHttpPort"]}/v1/traces");
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var instance = new Instance(ServiceProcess.Start(environment), http, null!);
            instance.Exporter = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("orders"))
                .AddSource(instance._source.Name)
                .AddOtlpExporter(o =>
                {
                    o.Protocol = protocol;
                    o.Endpoint = endpoint;
                    o.Headers = "Authorization=Bearer " + token;
                    o.TimeoutMilliseconds = 2_000;
                    o.ExportProcessorType = ExportProcessorType.Batch;
                    o.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 100;
                    o.BatchExportProcessorOptions.MaxQueueSize = 8_192;
                })
                .Build();
            return instance;
        }

        /// <summary>One server span of 20 ms ending now.</summary>
        public void Span(bool error)
        {
            var end = DateTimeOffset.UtcNow;
            using var activity = _source.StartActivity("GET /orders", ActivityKind.Server, default(ActivityContext), startTime: end.AddMilliseconds(-20))
                ?? throw new InvalidOperationException("the exporter does not listen to the source");
            activity.SetStatus(error ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
            activity.SetEndTime(end.UtcDateTime);
        }

        public async Task<JsonElement> StatusAsync()
        {
            using var document = JsonDocument.Parse(await Http.GetStringAsync($"api/v1/slos/{Slo}"));
            return document.RootElement.GetProperty("status").Clone();
        }

        public async Task<long> TotalAsync()
        {
            try
            {
                return (await StatusAsync()).GetProperty("windows").GetProperty("1h").GetProperty("total").GetInt64();
            }
            catch (HttpRequestException)
            {
                return -1;
            }
        }

        public void Dispose()
        {
            Exporter?.Dispose();
            _source.Dispose();
            Process.Dispose();
            Http.Dispose();
        }
    }
}
