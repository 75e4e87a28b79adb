using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Tests.Selectors;

public sealed class SelectorParserTests
{
    [Fact]
    public void SpanSelectorsParseWithOrWithoutBraces()
    {
        var plain = SelectorParser.TryParse("span.kind=\"server\", http.route=~\"/api/.*\"", false, out var error);
        var braced = SelectorParser.TryParse("{span.kind=\"server\"}", false, out _);

        Assert.Null(error);
        Assert.Equal(2, plain!.Matchers.Length);
        Assert.Equal(MatchOperator.Regex, plain.Matchers[1].Operator);
        Assert.Single(braced!.Matchers);
    }

    [Fact]
    public void MetricSelectorsCarryTheMetricName()
    {
        var selector = SelectorParser.TryParse("http.server.request.duration{http.route=\"/pay\"}", true, out _);

        Assert.Equal("http.server.request.duration", selector!.MetricName);
        Assert.Equal(("http.route", "/pay"), (selector.Matchers[0].Name, selector.Matchers[0].Value));
    }

    [Theory]
    [InlineData("5..", "503", true)]
    [InlineData("5..", "1503", false)]
    [InlineData("5..", "50", false)]
    [InlineData("/api/.*", "/api/pay", true)]
    [InlineData("/api/.*", "/v1/api/pay", false)]
    public void RegexesAreFullyAnchoredAsInPrometheus(string pattern, string value, bool matches)
    {
        Assert.Equal(matches, new LabelMatcher("a", MatchOperator.Regex, pattern).Matches(value));
    }

    [Fact]
    public void AMissingAttributeMatchesAsTheEmptyString()
    {
        Assert.True(new LabelMatcher("a", MatchOperator.Equal, "").Matches(""));
        Assert.True(new LabelMatcher("a", MatchOperator.NotEqual, "x").Matches(""));
        Assert.False(new LabelMatcher("a", MatchOperator.Regex, ".+").Matches(""));
    }

    [Theory]
    [InlineData("a=\"x\" b=\"y\"", "expected ','")]
    [InlineData("a==\"x\"", "expected a quoted value")]
    [InlineData("a=\"x", "unterminated string")]
    [InlineData("{a=\"x\"", "missing closing '}'")]
    [InlineData("a~\"x\"", "expected one of = != =~ !~")]
    public void MalformedSelectorsAreRejectedWithAReason(string text, string reason)
    {
        Assert.Null(SelectorParser.TryParse(text, false, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void AMetricSelectorWithoutAMetricNameIsRejected()
    {
        Assert.Null(SelectorParser.TryParse("{a=\"x\"}", true, out var error));
        Assert.Contains("metric name is required", error);
    }

    [Fact]
    public void RegexConstructsThatNeedBacktrackingAreRejectedAsInPrometheus()
    {
        Assert.Null(SelectorParser.TryParse("a=~\"(x)\\\\1\"", false, out var error));
        Assert.Contains("invalid regular expression for 'a'", error);
    }
}
