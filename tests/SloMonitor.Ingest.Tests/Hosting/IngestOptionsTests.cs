using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SloMonitor.Ingest.Tests.Support;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest.Tests.Hosting;

public sealed class IngestOptionsTests
{
    [Fact]
    public void LimitsAreBoundFromTheIngestSectionAndThenFromCode()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:MaxEventAge"] = "7.00:00:00",
            ["Ingest:MaxBodyBytes"] = "1048576",
            ["Ingest:MaxInFlightRequests"] = "8",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ITelemetrySink>(new CapturingSink())
            .AddOtlpIngest(o => o.MaxInFlightRequests = 16);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<IngestOptions>>().Value;

        Assert.Equal(TimeSpan.FromDays(7), options.MaxEventAge);
        Assert.Equal(1_048_576, options.MaxBodyBytes);
        Assert.Equal(16, options.MaxInFlightRequests);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxFutureSkew);
    }

    [Theory]
    [InlineData("MaxBodyBytes", "0")]
    [InlineData("MaxInFlightItems", "-1")]
    [InlineData("MaxEventAge", "00:00:00")]
    [InlineData("MaxFutureSkew", "-00:01:00")]
    [InlineData("RetryAfter", "00:00:00.5")]
    [InlineData("MaxBytesInFlight", "1000")]
    [InlineData("MaxEvictedCumulativeSeries", "-1")]
    public void AnUnworkableLimitIsRefusedNamingTheSetting(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ingest:" + key] = value }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<ITelemetrySink>(new CapturingSink())
            .AddOtlpIngest()
            .BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<IngestOptions>>().Value);
        Assert.Contains("Ingest:" + key, e.Message, StringComparison.Ordinal);
    }
}
