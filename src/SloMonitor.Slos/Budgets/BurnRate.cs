namespace SloMonitor.Slos.Budgets;

/// <summary>Burn rate and error-budget arithmetic (SRE Workbook, chapter 5).</summary>
public static class BurnRate
{
    /// <summary>error ratio ÷ (1 − objective); NaN when the window has no data.</summary>
    public static double Of(long good, long total, double allowedErrorRatio)
    {
        if (total <= 0)
        {
            return double.NaN;
        }

        var bad = Math.Max(0, total - Math.Min(good, total));
        return (double)bad / total / allowedErrorRatio;
    }

    /// <summary>
    /// When the remaining budget runs out if it keeps burning at <paramref name="burnRate"/>; a burn rate of 1
    /// spends the whole budget in one <paramref name="period"/>. Null when nothing burns, now when already spent.
    /// </summary>
    public static DateTimeOffset? ExhaustsAt(DateTimeOffset now, double remainingRatio, double burnRate, TimeSpan period)
    {
        if (remainingRatio <= 0)
        {
            return now;
        }

        if (!(burnRate > 0))
        {
            return null;
        }

        var seconds = remainingRatio * period.TotalSeconds / burnRate;
        return seconds > TimeSpan.FromDays(3650).TotalSeconds ? null : now.AddMilliseconds(Math.Round(seconds * 1000));
    }
}
