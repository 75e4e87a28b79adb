using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Hosting;

namespace SloMonitor.Testing;

/// <summary>What a test wants of the service it starts.</summary>
internal sealed class TestServiceOptions
{
    /// <summary>SLO definitions written to a temporary file and configured as the service's SLO file.</summary>
    public string? SloYaml { get; init; }

    /// <summary>Routing, receivers and inhibition written to a temporary file and configured as the alerting file.</summary>
    public string? AlertingYaml { get; init; }

    /// <summary>Further configuration keys, e.g. <c>["Slos:EvaluationInterval"] = "00:00:01"</c>.</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Replaces services after the host registered its own (e.g. a FakeTimeProvider).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>An existing database to use instead of a fresh one (it is not dropped at the end).</summary>
    public TestDatabase? Database { get; init; }

    /// <summary>A database of the test's own (such as an <see cref="OwnedPostgres"/> it stops and starts) instead of a fresh one.</summary>
    public string? ConnectionString { get; init; }
}

/// <summary>
/// The real service on real Kestrel listeners bound to 127.0.0.1 and free ports, with a fresh PostgreSQL database:
/// the same <see cref="ServiceHost"/> that <c>SloMonitor</c> runs, started in-process.
/// </summary>
internal sealed class TestService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestDatabase? _database;
    private readonly bool _ownsDatabase;
    private readonly string _directory;

    private TestService(WebApplication app, TestDatabase? database, bool ownsDatabase, string directory, int httpPort, int grpcPort, int otlpHttpPort)
    {
        _app = app;
        _database = database;
        _ownsDatabase = ownsDatabase;
        _directory = directory;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        OtlpGrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
        OtlpHttpEndpoint = new Uri($"http://127.0.0.1:{otlpHttpPort}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>API, UI and /metrics.</summary>
    public Uri BaseAddress { get; }

    public Uri OtlpGrpcEndpoint { get; }

    public Uri OtlpHttpEndpoint { get; }

    /// <summary>A client whose base address is <see cref="BaseAddress"/>, sending <see cref="AdminToken"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>A token with the admin scope (every scope), created at start; sent by <see cref="Http"/> and the browser.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>A token with the ingest scope only, created at start; sent by the OTLP helpers.</summary>
    public string IngestToken { get; private set; } = "";

    /// <summary>A client of <see cref="BaseAddress"/> without a token.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client of <see cref="BaseAddress"/> with a new token of these scopes named <paramref name="name"/>.</summary>
    public async Task<HttpClient> ClientWithAsync(string name, params string[] scopes)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", await TestTokens.CreateAsync(Services.GetRequiredService<SloMonitor.Auth.TokenStore>(), name, scopes));
        return client;
    }

    /// <summary>A client of <see cref="BaseAddress"/> with a new token of <paramref name="tenant"/>, named <paramref name="name"/>, with these scopes.</summary>
    public async Task<(HttpClient Client, string Token)> TenantClientAsync(string tenant, string name, params string[] scopes)
    {
        var token = await TestTokens.CreateInTenantAsync(Services.GetRequiredService<SloMonitor.Auth.TokenStore>(), tenant, name, scopes);
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (client, token);
    }

    public IServiceProvider Services => _app.Services;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("this service runs on a database of the test's own");

    /// <summary>The temporary folder holding the SLO and alerting files; tests may rewrite them.</summary>
    public string Directory => _directory;

    public string SloFile => Path.Combine(_directory, "slos.yaml");

    public string AlertingFile => Path.Combine(_directory, "alerting.yaml");

    /// <summary>
    /// Runs one round of the service's own evaluation loop now (evaluation, status snapshot, /metrics, alert
    /// publisher), as its timer does every <c>Slos:EvaluationInterval</c>; rounds never overlap.
    /// </summary>
    public Task EvaluateRoundAsync() =>
        _app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<SloMonitor.Slos.Hosting.SloEvaluationLoop>().Single().RunOnceAsync(CancellationToken.None);

    public static async Task<TestService> StartAsync(TestServiceOptions? options = null)
    {
        options ??= new TestServiceOptions();
        var database = options.ConnectionString is not null ? null : options.Database ?? await TestDatabase.CreateAsync(migrate: false);
        var connectionString = options.ConnectionString ?? database!.ConnectionString;
        var directory = Path.Combine(Path.GetTempPath(), "slomonitor-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var files = new Dictionary<string, string?>();
        if (options.SloYaml is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "slos.yaml"), options.SloYaml);
            files["Slos:Files:0"] = Path.Combine(directory, "slos.yaml");
        }

        if (options.AlertingYaml is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "alerting.yaml"), options.AlertingYaml);
            files["Alerting:File"] = Path.Combine(directory, "alerting.yaml");
        }

        // A port found free can be taken by another test before the service binds it: then try other ports.
        for (var attempt = 1; ; attempt++)
        {
            var (httpPort, grpcPort, otlpHttpPort) = (FreePort(), FreePort(), FreePort());
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = connectionString,
                ["SloMonitor:ListenAddress"] = "127.0.0.1",
                ["SloMonitor:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SloMonitor:OtlpGrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SloMonitor:OtlpHttpPort"] = otlpHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SloMonitor:ShutdownTimeout"] = "00:00:05",
                ["Alerting:ExternalUrl"] = $"http://127.0.0.1:{httpPort}",
                ["Serilog:MinimumLevel:Default"] = "Warning",
                ["Slos:LocalCheckpointFile"] = Path.Combine(directory, "sli-checkpoint.journal"),
                ["Auth:TokenCacheFile"] = Path.Combine(directory, "token-cache.json"),

                // Tests drive the service faster than anyone would; a test of rate limits sets its own.
                ["Auth:RateLimits:Enabled"] = "false",
            };
            foreach (var (key, value) in files.Concat(options.Settings))
            {
                settings[key] = value;
            }

            var args = settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
            var app = ServiceHost.Build(args, builder => options.ConfigureServices?.Invoke(builder.Services));
            try
            {
                await ServiceHost.PrepareAsync(app, CancellationToken.None);
                await app.StartAsync();
                var service = new TestService(app, database, options.Database is null && database is not null, directory, httpPort, grpcPort, otlpHttpPort);
                await service.CreateTokensAsync();
                return service;
            }
            catch (Exception e) when (attempt < 5 && PortTaken(e))
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>An admin token for the API and the UI and an ingest token for OTLP, unless authentication is off or PostgreSQL is away.</summary>
    private async Task CreateTokensAsync()
    {
        if (_app.Services.GetRequiredService<SloMonitor.Auth.AuthOptions>().Disabled || !_app.Services.GetRequiredService<DatabaseHealth>().IsMigrated)
        {
            return;
        }

        var store = _app.Services.GetRequiredService<SloMonitor.Auth.TokenStore>();

        // A service started again on the same database makes its tokens afresh: their secrets are not kept.
        foreach (var name in new[] { "test-admin", "test-ingest" })
        {
            await store.RevokeAsync(SloMonitor.Auth.TokenStore.DefaultTenant, name, DateTimeOffset.UtcNow);
        }

        AdminToken = await TestTokens.CreateAsync(store, "test-admin", SloMonitor.Auth.Scopes.Admin);
        IngestToken = await TestTokens.CreateAsync(store, "test-ingest", SloMonitor.Auth.Scopes.Ingest);
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        TestTokens.Register(BaseAddress, AdminToken);
        TestTokens.Register(OtlpHttpEndpoint, IngestToken);
        TestTokens.Register(OtlpGrpcEndpoint, IngestToken);
    }

    private static bool PortTaken(Exception e) =>
        e is IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException }
        || (e is StartupException && e.Message.StartsWith("cannot listen", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDatabase)
        {
            await _database!.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a watcher; the temp folder is cleaned by the OS.
        }
    }

    private static int s_lastPort = Random.Shared.Next(20_000, 32_000);

    /// <summary>
    /// A port that was free a moment ago on 127.0.0.1, chosen below Linux's ephemeral range (32768 and up) so that
    /// outgoing connections of other tests do not take it in the meantime. Ports are handed out in sequence from a
    /// random start, so two tests of this process running at once never get the same one.
    /// </summary>
    public static int FreePort()
    {
        for (var i = 0; i < 1000; i++)
        {
            var port = 20_000 + ((Interlocked.Increment(ref s_lastPort) - 20_000) % 12_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }

        throw new InvalidOperationException("no free port found between 20000 and 32000 on 127.0.0.1");
    }
}
