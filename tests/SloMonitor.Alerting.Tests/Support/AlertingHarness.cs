using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SloMonitor.Alerting.Delivery;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Muting;
using SloMonitor.Testing;

namespace SloMonitor.Alerting.Tests.Support;

/// <summary>
/// The alerting services as the host wires them (through <c>AddAlerting</c>), on a fresh database and a fake
/// clock; <see cref="TickAsync"/> runs one tick of the loop and waits for its deliveries.
/// </summary>
internal sealed class AlertingHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly TestDatabase? _database;
    private readonly TestDatabase? _ownedDatabase;
    private readonly string _routingFile;

    private AlertingHarness(TestDatabase? database, NpgsqlDataSource dataSource, bool ownsDatabase, ServiceProvider services, TimeProvider time, string routingFile, CapturingLoggerProvider logs)
    {
        _database = database;
        DataSource = dataSource;
        _ownedDatabase = ownsDatabase ? database : null;
        Services = services;
        Clock = time;
        _routingFile = routingFile;
        Logs = logs;
    }

    public TestDatabase Database => _database ?? throw new InvalidOperationException("this harness runs on a database of its own");

    public NpgsqlDataSource DataSource { get; }

    public ServiceProvider Services { get; }

    public TimeProvider Clock { get; }

    /// <summary>The fake clock (all tests but those against an outside process use one).</summary>
    public FakeTimeProvider Time => (FakeTimeProvider)Clock;

    public CapturingLoggerProvider Logs { get; }

    public AlertIngestor Ingestor => Services.GetRequiredService<AlertIngestor>();

    public IncidentStore Incidents => Services.GetRequiredService<IncidentStore>();

    public SilenceStore Silences => Services.GetRequiredService<SilenceStore>();

    public static async Task<AlertingHarness> StartAsync(string routingYaml, TimeProvider? time = null, IDictionary<string, string?>? settings = null, TestDatabase? database = null)
    {
        var ownsDatabase = database is null;
        database ??= await TestDatabase.CreateAsync();
        return await StartAsync(routingYaml, time, settings, database, database.DataSource, ownsDatabase);
    }

    /// <summary>On a data source of the test's own (e.g. an <see cref="OwnedPostgres"/> the test stops and starts), migrated here.</summary>
    public static async Task<AlertingHarness> StartOnAsync(NpgsqlDataSource dataSource, string routingYaml, TimeProvider? time = null, IDictionary<string, string?>? settings = null)
    {
        await SloMonitor.Storage.MigrationRunner.ApplyAsync(dataSource, TestSchema.Migrations);
        return await StartAsync(routingYaml, time, settings, null, dataSource, ownsDatabase: false);
    }

    private static async Task<AlertingHarness> StartAsync(string routingYaml, TimeProvider? time, IDictionary<string, string?>? settings, TestDatabase? database, NpgsqlDataSource dataSource, bool ownsDatabase)
    {
        time ??= new FakeTimeProvider(Start);
        var routingFile = Path.Combine(Path.GetTempPath(), $"routing-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(routingFile, routingYaml);
        var values = new Dictionary<string, string?>
        {
            ["File"] = routingFile,
            ["ExternalUrl"] = "https://slomonitor.example.com",
            ["Delivery:Timeout"] = "2s",
            ["Delivery:InitialBackoff"] = "1s",
            ["Delivery:MaxBackoff"] = "8s",
            ["Delivery:Deadline"] = "1m",
            ["Spool:File"] = Path.Combine(Path.GetTempPath(), $"spool-{Guid.NewGuid():N}", "notification-spool.log"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(dataSource)
            .AddAlerting(configuration)
            .BuildServiceProvider();
        return new AlertingHarness(database, dataSource, ownsDatabase, services, time, routingFile, logs);
    }

    /// <summary>A second instance on the same database, as after a restart of the process.</summary>
    public Task<AlertingHarness> RestartAsync(string routingYaml) => StartAsync(routingYaml, Clock, database: Database);

    public Task SubmitAsync(params AlertInput[] alerts) => Ingestor.SubmitAsync(alerts, CancellationToken.None);

    public Task TickAsync() => Services.GetRequiredService<AlertingLoop>().RunOnceAsync(waitForDeliveries: true, CancellationToken.None);

    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await TickAsync();
    }

    public async Task<IReadOnlyList<string>> TimelineKindsAsync(long incidentId) =>
        (await Incidents.GetDetailAsync(incidentId, CancellationToken.None))!.Timeline.Select(t => t.Kind).ToList();

    public async Task<Incident> SingleOpenIncidentAsync(string slo) =>
        (await Incidents.ListAsync(null, null, slo, CancellationToken.None)).Single(i => i.State != IncidentStates.Resolved);

    public async Task<long> PendingOutboxAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notification_outbox WHERE state = 'pending'");
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        File.Delete(_routingFile);
        if (_ownedDatabase is not null)
        {
            await _ownedDatabase.DisposeAsync();
        }
    }
}
