namespace SloMonitor.Fuzz.Tests.Support;

/// <summary>
/// One fuzz target: its seed corpus folder (<c>tests/SloMonitor.Fuzz.Tests/Corpus/&lt;Name&gt;</c>), a dictionary of
/// tokens, the largest input tried, and the call under test, which must either return (a short description of what
/// it did, such as the start of its error) or throw one of <see cref="Expected"/> with a message (anything else is
/// a crash).
/// </summary>
internal sealed record FuzzTarget(string Name, Func<byte[], string> Run, Type[] Expected, string[] Tokens, int MaxLength = 64 * 1024)
{
    /// <summary>Time spent on the target in one test run; SLOMONITOR_FUZZ_SECONDS overrides it for longer runs.</summary>
    public static TimeSpan Budget(double seconds) =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("SLOMONITOR_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : seconds);
}
