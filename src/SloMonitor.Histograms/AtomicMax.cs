namespace SloMonitor.Histograms;

/// <summary>Raises a shared <see cref="long"/> to a value if it is larger, with a compare-and-swap loop.</summary>
internal static class AtomicMax
{
    /// <summary>Sets <paramref name="location"/> to <paramref name="value"/> when larger; returns the value it holds after.</summary>
    public static long Raise(ref long location, long value)
    {
        long current = Volatile.Read(ref location);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return value;
            }

            current = seen;
        }

        return current;
    }
}
