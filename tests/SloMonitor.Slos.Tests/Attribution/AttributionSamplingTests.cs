using SloMonitor.Slos.Attribution;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Attribution;

/// <summary>
/// Good events are counted one by one while an SLO is quiet and sampled ever more sparsely as its traffic in a minute
/// grows, so the sampled work per SLO and minute stays about <see cref="AttributionOptions.GoodSamplesPerMinute"/>.
/// </summary>
public sealed class AttributionSamplingTests
{
    private static readonly string Availability = EngineHarness.Slo("pay", "kind: availability");

    [Fact]
    public void AQuietSloCountsEveryGoodEventExactly()
    {
        var harness = new EngineHarness(Availability);
        for (var m = 4; m >= 0; m--)
        {
            Spans(harness, Minute(m), 400, 4, "/checkout");
            Spans(harness, Minute(m), 100, 0, "/other");
        }

        var reading = Attribution(harness).Read(harness.Now, TimeSpan.FromMinutes(5));

        Assert.Equal((20L, 2_500L, 1), (reading.Bad, reading.Total, reading.SampleEvery));
        var checkout = reading.Keys.Single(k => k.Key == "http.route").Values.Single(v => v.Value == "/checkout");
        Assert.Equal((20L, 2_000L), (checkout.Bad, checkout.Total));
    }

    [Fact]
    public void ABusySloSamplesSparselyAndStillEstimatesItsTrafficAndShares()
    {
        var harness = new EngineHarness(Availability);
        // 200,000 spans in one minute: /checkout has 5 % of them and 900 of the 1,000 errors.
        for (var i = 0; i < 20; i++)
        {
            Spans(harness, Minute(1), 500, 45, "/checkout");
            Spans(harness, Minute(1), 9_500, 5, "/other");
        }

        var attribution = Attribution(harness);
        var reading = attribution.Read(harness.Now, TimeSpan.FromMinutes(5));

        // 200,000 / 256 events per sample would be about 780: the interval has doubled to 512 (256–1,024).
        Assert.InRange(attribution.SampleEvery, 256, 1_024);
        Assert.Equal(attribution.SampleEvery, reading.SampleEvery);
        Assert.Equal(1_000, reading.Bad);
        Assert.InRange(reading.Total, 180_000, 220_000);
        Assert.Equal(("http.route", "/checkout", 900L), (reading.Top[0].Key, reading.Top[0].Value, reading.Top[0].Bad));
        Assert.InRange(reading.Top[0].TotalShare, 0.03, 0.08);
    }

    [Fact]
    public void AMinuteStartsFromTheIntervalOfTheMinuteBeforeAndQuietMinutesBringItBack()
    {
        var harness = new EngineHarness(Availability);
        var attribution = Attribution(harness);
        Spans(harness, Minute(3), 200_000, 0, "/other");
        var busy = attribution.SampleEvery;

        Spans(harness, Minute(2), 1, 0, "/other");
        var afterBusy = attribution.SampleEvery;
        Spans(harness, Minute(2), 99, 0, "/other");
        Spans(harness, Minute(1), 100, 0, "/other");
        Spans(harness, Minute(0), 1, 0, "/other");

        Assert.InRange(busy, 256, 1_024);
        Assert.Equal(busy, afterBusy);
        Assert.Equal(1, attribution.SampleEvery);
    }

    [Fact]
    public void NoSamplesPerMinuteKeepsTheConfiguredIntervalWhateverTheTraffic()
    {
        var harness = new EngineHarness(Availability, new SloEngineOptions { Attribution = { GoodSampleEvery = 16, GoodSamplesPerMinute = 0 } });
        Spans(harness, Minute(1), 200_000, 0, "/other");

        var attribution = Attribution(harness);

        Assert.Equal(16, attribution.SampleEvery);
        Assert.Equal(16, attribution.Read(harness.Now, TimeSpan.FromMinutes(5)).SampleEvery);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2_000_000)]
    public void ASamplesPerMinuteOutOfRangeIsRefusedNamingTheSetting(int samples)
    {
        var options = new AttributionOptions { GoodSamplesPerMinute = samples };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("Slos:Attribution:GoodSamplesPerMinute", error.Message);
    }

    /// <summary>The middle of the minute that ended <paramref name="m"/> minutes ago (the harness's clock is on a whole hour).</summary>
    private static TimeSpan Minute(int m) => TimeSpan.FromMinutes(m) + TimeSpan.FromSeconds(30);

    private static void Spans(EngineHarness harness, TimeSpan ago, int count, int bad, string route) =>
        harness.Spans("checkout", ago, count, bad, attributes: [new("http.route", route)]);

    private static SloAttribution Attribution(EngineHarness harness) => harness.Engine.AttributionOf(harness.Engine.Definitions[0].Name)!;
}
