namespace SloMonitor.Benchmarks.Slos;

/// <summary>A clock stopped at one instant, so that every run of a benchmark reads the same windows.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
