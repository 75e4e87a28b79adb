namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Counts the changes that move counts from one place to another inside a series (a buffer folded into the tiers,
/// a ring slot handed to a newer slice), so that a reader can tell whether one overlapped its reading and read
/// again. Changes are rare (a few per slice); writers never wait for readers.
/// </summary>
internal sealed class ChangeSequence
{
    private long _inProgress;
    private long _completed;

    public void Begin() => Interlocked.Increment(ref _inProgress);

    public void End()
    {
        Interlocked.Increment(ref _completed);
        Interlocked.Decrement(ref _inProgress);
    }

    /// <summary>Runs <paramref name="read"/> until no change overlapped it.</summary>
    public T ReadConsistent<TState, T>(TState state, Func<TState, T> read)
    {
        var spin = default(SpinWait);
        while (true)
        {
            long completed = Volatile.Read(ref _completed);
            if (Volatile.Read(ref _inProgress) == 0)
            {
                var result = read(state);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _inProgress) == 0 && Volatile.Read(ref _completed) == completed)
                {
                    return result;
                }
            }

            spin.SpinOnce();
        }
    }
}
