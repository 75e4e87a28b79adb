using Microsoft.Extensions.Time.Testing;

namespace SloMonitor.Ingest.Tests.Support;

/// <summary>An <see cref="OtlpIngestor"/> on a fake clock with a capturing sink, built per test.</summary>
internal sealed class IngestorUnderTest
{
    public IngestorUnderTest(Action<IngestOptions>? configure = null)
    {
        var options = new IngestOptions();
        configure?.Invoke(options);
        options.Validate();
        Ingestor = new OtlpIngestor(Sink, options, Time);
    }

    /// <summary>The moment the ingestor was created (its start): 2026-03-01 12:00 UTC.</summary>
    public static DateTimeOffset Started { get; } = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; } = new(Started);

    public CapturingSink Sink { get; } = new();

    public OtlpIngestor Ingestor { get; }

    public long NowNano => Requests.UnixNano(Time.GetUtcNow());

    public static long Seconds(double seconds) => (long)(seconds * 1e9);
}
