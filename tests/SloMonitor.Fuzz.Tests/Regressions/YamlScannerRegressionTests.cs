using SloMonitor.Alerting.Configuration;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Fuzz.Tests.Regressions;

/// <summary>
/// Found by fuzzing: YamlDotNet throws InvalidOperationException (its scanner, when a flow collection is cut by a
/// newline before a plain scalar) or ArgumentException (its node loader, "the current event is of an unsupported
/// type", e.g. for a key without a value followed by a more indented one), not a YamlException. Both readers now
/// report these as invalid YAML.
/// </summary>
public sealed class YamlScannerRegressionTests
{
    [Theory]
    [InlineData(": [\nr")]
    [InlineData(": {\n2")]
    [InlineData("route: [\n  receiver")]
    [InlineData(":\n :")]
    [InlineData(": *: *\uFFFD")]
    public void YamlThatYamlDotNetCannotLoadIsAnInvalidRoutingFileNotACrash(string yaml)
    {
        var e = Assert.Throws<AlertingConfigException>(() => AlertingConfigLoader.Parse(yaml, "alerting.yaml"));
        Assert.Contains("alerting.yaml", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(": {\n2", "slos.yaml")]
    [InlineData(": [\ni", "openslo.yaml")]
    [InlineData("apiVersion: openslo/v1\nkind: SLO\nspec: [\n  x", "openslo.yaml")]
    [InlineData("\u0000: n", "slos.yaml")]
    [InlineData(": *: *\uFFFD", "openslo.yaml")]
    [InlineData(":\n :", "slos.yaml")]
    public void YamlThatYamlDotNetCannotLoadIsAnInvalidSloFileNotACrash(string yaml, string file)
    {
        var result = SloParser.ParseYaml(yaml, file);

        var error = Assert.Single(result.Errors);
        Assert.Contains("invalid YAML", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(file, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(result.Definitions);
    }
}
