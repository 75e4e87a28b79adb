namespace SloMonitor.Alerting.Delivery;

/// <summary>
/// Exponential backoff with "equal jitter": attempt n waits between half and all of
/// min(max, initial·2^(n-1)), so retries of many notifications spread out but never shrink to nothing.
/// A receiver's Retry-After is honoured when it asks for longer.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double random, TimeSpan? retryAfter = null)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(ceiling / 2 + (ceiling / 2 * random));
        return retryAfter is { } asked && asked > delay ? asked : delay;
    }
}
