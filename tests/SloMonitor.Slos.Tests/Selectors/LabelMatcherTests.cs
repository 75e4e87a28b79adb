using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Tests.Selectors;

public sealed class LabelMatcherTests
{
    [Fact]
    public void ARegexMatcherAnswersTheSameForValuesItRemembersAndValuesBeyondItsMemory()
    {
        var matcher = new LabelMatcher("http.route", MatchOperator.Regex, "/api/[0-9]+");
        var negated = new LabelMatcher("http.route", MatchOperator.NotRegex, "/api/[0-9]+");
        var values = Enumerable.Range(0, LabelMatcher.RememberedValues * 3)
            .Select(i => i % 3 == 0 ? $"/v1/{i}" : $"/api/{i}")
            .ToArray();

        // Four threads at once, each twice over every value: the first pass fills the memory, the second reads it.
        var wrong = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int pass = 0; pass < 2; pass++)
            {
                foreach (var value in values)
                {
                    bool expected = value.StartsWith("/api/", StringComparison.Ordinal);
                    if (matcher.Matches(value) != expected || negated.Matches(value) == expected)
                    {
                        wrong.Add(value);
                    }
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(wrong);
    }

    [Fact]
    public void MatchingARememberedValueAllocatesNothing()
    {
        var matcher = new LabelMatcher("http.route", MatchOperator.Regex, "/api/.*");
        Assert.True(matcher.Matches("/api/orders"));

        // Each span brings its own string: the answer is found by the text, not by the instance.
        var fromAnotherSpan = new string("/api/orders".AsSpan());
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(matcher.Matches(fromAnotherSpan));
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
