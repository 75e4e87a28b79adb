using System.Text.RegularExpressions;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Telemetry;

/// <summary>The garbage collector's pauses, as operators read them on /metrics.</summary>
public sealed class GcPauseMetricsTests
{
    [Fact]
    public async Task CollectionsShowAsPausesOnMetrics()
    {
        await using var service = await TestService.StartAsync(new TestServiceOptions());
        var before = await PauseCountAsync(service);

        long after = before;
        for (var attempt = 0; attempt < 50 && after < before + 3; attempt++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(100); // the runtime hands its events to listeners on a thread of its own
            after = await PauseCountAsync(service);
        }

        Assert.True(after >= before + 3, $"pauses counted: {before} before, {after} after forced collections");
        var metrics = await service.Http.GetStringAsync("metrics");
        var sum = double.Parse(Regex.Match(metrics, @"(?m)^slomon_gc_pause_seconds_sum (\S+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sum, 1e-7, 60);
    }

    private static async Task<long> PauseCountAsync(TestService service)
    {
        var metrics = await service.Http.GetStringAsync("metrics");
        var match = Regex.Match(metrics, @"(?m)^slomon_gc_pause_seconds_count (\d+)");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
