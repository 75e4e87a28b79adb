using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Tests.Hosting;

public sealed class SloDefinitionLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("slo-loader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void FilesMatchingTheGlobsAreLoadedAndAChangedFileIsReloaded()
    {
        var (loader, engine) = Create(Path.Combine(_directory, "*.yaml"));
        Write("a.yaml", Slo("pay"));
        Write("b.yaml", Slo("search"));

        Assert.Equal(2, loader.CheckFiles());
        Assert.Equal(["pay", "search"], engine.Definitions.Select(d => d.Name).Order());

        Write("b.yaml", Slo("search") + Slo("browse"), DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(1, loader.CheckFiles());
        Assert.Equal(["browse", "pay", "search"], engine.Definitions.Select(d => d.Name).Order());
        Assert.Equal(0, loader.CheckFiles());
    }

    [Fact]
    public void AReloadedFileChangesOnlyTheSlosWhoseDefinitionChanged()
    {
        var (loader, engine) = Create(Path.Combine(_directory, "slos.yaml"));
        Write("slos.yaml", Slo("pay") + Slo("search"));
        loader.CheckFiles();
        var pay = engine.Find("pay");
        var search = engine.Find("search");

        Write("slos.yaml", Slo("pay") + Slo("search").Replace("99.9", "99.5", StringComparison.Ordinal), DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(1, loader.CheckFiles());

        Assert.Same(pay, engine.Find("pay"));
        Assert.NotSame(search, engine.Find("search"));
        Assert.Equal(99.5, engine.Find("search")!.Objective);
    }

    [Fact]
    public void AnInvalidFileLeavesItsPreviousDefinitionsRunning()
    {
        var (loader, engine) = Create(Path.Combine(_directory, "slos.yaml"));
        Write("slos.yaml", Slo("pay"));
        loader.CheckFiles();

        Write("slos.yaml", Slo("pay").Replace("99.9", "101", StringComparison.Ordinal), DateTime.UtcNow.AddSeconds(5));
        loader.CheckFiles();

        Assert.Equal(99.9, Assert.Single(engine.Definitions).Objective);
    }

    [Fact]
    public void ADeletedFileRemovesItsSlos()
    {
        var (loader, engine) = Create(Path.Combine(_directory, "*.yaml"));
        Write("a.yaml", Slo("pay"));
        loader.CheckFiles();

        File.Delete(Path.Combine(_directory, "a.yaml"));
        loader.CheckFiles();

        Assert.Empty(engine.Definitions);
    }

    [Fact]
    public void ANameAlreadyDefinedInAnotherFileIsIgnored()
    {
        var (loader, engine) = Create(Path.Combine(_directory, "*.yaml"));
        Write("a.yaml", Slo("pay"));
        Write("b.yaml", Slo("pay").Replace("checkout", "other", StringComparison.Ordinal));

        loader.CheckFiles();

        Assert.Equal("checkout", Assert.Single(engine.Definitions).Service);
    }

    [Fact]
    public async Task AnEditedFileIsReadAtOnceWithoutWaitingForThePeriodicCheck()
    {
        Write("slos.yaml", Slo("pay"));
        var (loader, engine) = Create(Path.Combine(_directory, "*.yaml"), TimeProvider.System, TimeSpan.FromHours(1));
        await loader.StartAsync(CancellationToken.None);
        try
        {
            Assert.Equal(["pay"], engine.Definitions.Select(d => d.Name));

            Write("slos.yaml", Slo("pay") + Slo("search"));
            Write("new.yaml", Slo("browse"));
            var waited = Stopwatch.StartNew();
            while (engine.Definitions.Count < 3 && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50, CancellationToken.None);
            }

            Assert.Equal(["browse", "pay", "search"], engine.Definitions.Select(d => d.Name).Order());
        }
        finally
        {
            await loader.StopAsync(CancellationToken.None);
            loader.Dispose();
        }
    }

    private (SloDefinitionLoader Loader, SloEngine Engine) Create(string pattern, TimeProvider? clock = null, TimeSpan? checkInterval = null)
    {
        var time = clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        var tenants = new SloTenants(time, new SloOptions(), NullLoggerFactory.Instance, new SloEngine(time, new SloEngineOptions()));
        var engine = tenants.Default.Engine;
        var store = new SloDefinitionStore(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"));
        var options = new SloOptions { Files = [pattern], FileCheckInterval = checkInterval ?? TimeSpan.FromSeconds(5) };
        var loader = new SloDefinitionLoader(options, tenants, store, time, NullLogger<SloDefinitionLoader>.Instance);
        return (loader, engine);
    }

    private void Write(string name, string text, DateTime? written = null)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        if (written is { } at)
        {
            File.SetLastWriteTimeUtc(path, at);
        }
    }

    private static string Slo(string name) =>
        $"- {{name: {name}, service: checkout, objective: 99.9, sli: {{kind: availability}}}}\n";
}
