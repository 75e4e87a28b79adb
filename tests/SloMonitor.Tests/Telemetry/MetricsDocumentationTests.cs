using System.Text.RegularExpressions;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Telemetry;

/// <summary>docs/metrics.md lists every series the service exposes, and nothing it does not.</summary>
public sealed partial class MetricsDocumentationTests
{
    [Fact]
    public void EverySeriesTheCodeCreatesIsInTheMetricsReferenceAndEveryDocumentedOneExists()
    {
        var inCode = Directory.EnumerateFiles(RepositoryRoot.Combine("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => CreatedSeries().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();
        var documented = DocumentedSeries().Matches(File.ReadAllText(RepositoryRoot.Combine("docs", "metrics.md")))
            .Select(m => m.Groups[1].Value)
            .ToHashSet();

        Assert.True(inCode.Count > 20, $"found only {inCode.Count} series in the code: the pattern no longer matches how metrics are created");
        Assert.Empty(inCode.Except(documented).Order());
        Assert.Empty(documented.Except(inCode).Order());
    }

    [GeneratedRegex(@"Create(?:Counter|Gauge|Histogram|Summary)\(\s*""(slomon_\w+)""")]
    private static partial Regex CreatedSeries();

    [GeneratedRegex(@"(?m)^\| `(slomon_\w+)`")]
    private static partial Regex DocumentedSeries();
}
