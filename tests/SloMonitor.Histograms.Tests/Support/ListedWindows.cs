namespace SloMonitor.Histograms.Tests.Support;

internal static class ListedWindows
{
    /// <summary>The windows the series must answer: 5m, 30m, 1h, 2h, 6h, 1d, 3d, 7d, 28d, 30d.</summary>
    public static readonly TimeSpan[] All =
    [
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3), TimeSpan.FromDays(7),
        TimeSpan.FromDays(28), TimeSpan.FromDays(30),
    ];
}
