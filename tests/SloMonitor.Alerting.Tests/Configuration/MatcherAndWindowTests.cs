using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Muting;
using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Tests.Configuration;

public sealed class MatcherAndWindowTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["severity"] = "page", ["team"] = "payments" };

    [Theory]
    [InlineData("severity=\"page\"", true)]
    [InlineData("severity = page", true)]
    [InlineData("severity!=\"page\"", false)]
    [InlineData("team=~\"pay.*\"", true)]
    [InlineData("team=~\"pay\"", false)]
    [InlineData("team!~\"search|ads\"", true)]
    [InlineData("region=\"\"", true)]
    [InlineData("region!=\"\"", false)]
    public void MatchersHaveAlertmanagersMeaning(string text, bool matches)
    {
        Assert.Equal(matches, Matcher.Parse(text).Matches(Labels));
    }

    [Theory]
    [InlineData("severity")]
    [InlineData("=\"page\"")]
    [InlineData("team=~\"(\"")]
    [InlineData("bad-name=\"x\"")]
    public void MalformedMatchersAreRejected(string text)
    {
        Assert.Throws<FormatException>(() => Matcher.Parse(text));
    }

    [Fact]
    public void TheFingerprintIsStableAcrossLabelOrderAndDiffersByAnyValue()
    {
        var a = Fingerprint.Of(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        var b = Fingerprint.Of(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        var c = Fingerprint.Of(new Dictionary<string, string> { ["a"] = "1", ["b"] = "3" });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("^[0-9a-f]{16}$", a);
        // Alertmanager's fingerprint of the empty label set is the FNV-1a offset basis.
        Assert.Equal("cbf29ce484222325", Fingerprint.Of(new Dictionary<string, string>()));
    }

    [Fact]
    public void AMaintenanceWindowRunsPastMidnightOnlyFromItsWeekday()
    {
        var window = new MaintenanceWindow("sunday-night", [], new HashSet<DayOfWeek> { DayOfWeek.Sunday }, new TimeOnly(23, 0), TimeSpan.FromHours(3), TimeZoneInfo.Utc);
        var sunday = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.False(window.IsActive(sunday.AddHours(22).AddMinutes(59)));
        Assert.True(window.IsActive(sunday.AddHours(23)));
        Assert.True(window.IsActive(sunday.AddHours(25).AddMinutes(59)));
        Assert.False(window.IsActive(sunday.AddHours(26)));
        Assert.False(window.IsActive(sunday.AddDays(1).AddHours(23).AddMinutes(30)));
    }

    [Fact]
    public void BackoffDoublesUpToItsCapAndJittersWithinTheUpperHalf()
    {
        var initial = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.FromSeconds(0.5), Alerting.Delivery.Backoff.Delay(1, initial, max, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), Alerting.Delivery.Backoff.Delay(1, initial, max, 1));
        Assert.Equal(TimeSpan.FromSeconds(8), Alerting.Delivery.Backoff.Delay(4, initial, max, 1));
        Assert.Equal(TimeSpan.FromSeconds(30), Alerting.Delivery.Backoff.Delay(20, initial, max, 1));
        Assert.Equal(TimeSpan.FromSeconds(15), Alerting.Delivery.Backoff.Delay(20, initial, max, 0));
        Assert.Equal(TimeSpan.FromMinutes(1), Alerting.Delivery.Backoff.Delay(1, initial, max, 0, TimeSpan.FromMinutes(1)));
    }
}
