using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Slos;

public sealed class SloStateStoreTests
{
    [Fact]
    public async Task ACheckpointReadsBackByteForByte()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = new SloStateStore(database.DataSource);
        var savedAt = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var rows = new[]
        {
            new SloStateRow("checkout", "", [1, 2, 3, 0, 255], savedAt),
            new SloStateRow("checkout", "region=eu", new byte[70_000], savedAt),
            new SloStateRow("lag", "", [], savedAt),
        };

        await store.ReplaceAllAsync(rows);
        var loaded = (await store.LoadAllAsync()).OrderBy(r => r.Slo).ThenBy(r => r.SeriesKey).ToList();

        Assert.Equal(3, loaded.Count);
        Assert.Equal(rows[0].State, loaded[0].State);
        Assert.Equal(70_000, loaded[1].State.Length);
        Assert.Equal("region=eu", loaded[1].SeriesKey);
        Assert.Empty(loaded[2].State);
        Assert.All(loaded, r => Assert.Equal(savedAt, r.SavedAt));
    }

    [Fact]
    public async Task ANewCheckpointReplacesTheOldOneWhole()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = new SloStateStore(database.DataSource);
        var at = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        await store.ReplaceAllAsync([new SloStateRow("removed-slo", "", [1], at), new SloStateRow("kept", "", [1], at)]);

        await store.ReplaceAllAsync([new SloStateRow("kept", "", [2], at.AddMinutes(1))]);

        var loaded = Assert.Single(await store.LoadAllAsync());
        Assert.Equal("kept", loaded.Slo);
        Assert.Equal(new byte[] { 2 }, loaded.State);
    }
}
