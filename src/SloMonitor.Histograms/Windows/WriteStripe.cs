using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// The write buffers of one stripe of a <see cref="SliSeries"/>: the current 30-second period, which the stripe's
/// threads record into, and the previous one until it has been folded into the series' tiers.
/// </summary>
/// <remarks>
/// Writers enter and leave a writer-reader phaser (HdrHistogram's algorithm: one counter of entries whose sign is the
/// phase, one counter of exits per phase) around each record, so a retired buffer is folded only once every writer
/// that could have seen it has left. Rotating and folding run under <c>_busy</c>, taken with a compare-and-swap
/// that writers never wait for: a writer that cannot take it records straight into the tiers instead. Only
/// <see cref="Flush"/>, which readers call, waits.
/// The phaser counters and the buffer references sit in the middle of 192 bytes so two stripes never share a cache line.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal sealed class WriteStripe
{
    [FieldOffset(64)]
    private long _entries;

    [FieldOffset(72)]
    private long _evenExits;

    [FieldOffset(80)]
    private long _oddExits = long.MinValue;

    [FieldOffset(88)]
    private PeriodBuffer? _current;

    [FieldOffset(96)]
    private PeriodBuffer? _retired;

    [FieldOffset(104)]
    private PeriodBuffer? _spare;

    /// <summary>The exit count at which every writer of the retired buffer's phase has left.</summary>
    [FieldOffset(112)]
    private long _retiredExitsTarget;

    [FieldOffset(120)]
    private int _busy;

    [FieldOffset(124)]
    private bool _retiredOdd;

    public PeriodBuffer? Current => Volatile.Read(ref _current);

    public PeriodBuffer? Retired => Volatile.Read(ref _retired);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdd(long unixTimeMs, long good, long total)
    {
        long ticket = Enter();
        var buffer = Volatile.Read(ref _current);
        bool added = buffer is not null && buffer.TryAdd(unixTimeMs, good, total);
        Exit(ticket);
        return added;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddValue(long unixTimeMs, double value, bool good)
    {
        long ticket = Enter();
        var buffer = Volatile.Read(ref _current);
        bool added = buffer is not null && buffer.TryAddValue(unixTimeMs, value, good);
        Exit(ticket);
        return added;
    }

    /// <summary>
    /// Moves the stripe on to <paramref name="period"/> when it is newer than the current one. False, changing
    /// nothing, when it is not newer, when another thread holds the stripe, or when the previous period still has
    /// a writer in it.
    /// </summary>
    public bool TryMoveTo(long period, SliSeries series)
    {
        var current = Volatile.Read(ref _current);
        if ((current is not null && current.Period >= period) || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            current = _current;
            if ((current is not null && current.Period >= period) || !TryFoldRetired(series))
            {
                return false;
            }

            // A spare is a folded buffer: no writer can reach it any more, and a reader still holding it was overlapped
            // by its fold and reads again. It is emptied here for reuse.
            var next = _spare ?? new PeriodBuffer(series.HistogramScale);
            _spare = null;
            next.Reset(period);
            Retire(next);
            TryFoldRetired(series);
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Folds everything buffered into the series' tiers, waiting for writers still in a retired buffer.</summary>
    public void Flush(SliSeries series)
    {
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            spin.SpinOnce();
        }

        try
        {
            FoldRetired(series);
            if (_current is not null)
            {
                Retire(null);
                FoldRetired(series);
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public long EstimateBytes() =>
        192 + (_current?.EstimateBytes() ?? 0) + (_retired?.EstimateBytes() ?? 0) + (_spare?.EstimateBytes() ?? 0);

    /// <summary>
    /// Enters the phaser and returns the ticket (its sign is the phase). Entry is a compare-and-swap so that a
    /// writer notices another thread entering this stripe at the same moment: it then moves to another stripe for
    /// its next records (as Java's LongAdder moves a thread to another cell), and enters with a plain increment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Enter()
    {
        long seen = Volatile.Read(ref _entries);
        return Interlocked.CompareExchange(ref _entries, seen + 1, seen) == seen ? seen + 1 : EnterContended();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long EnterContended()
    {
        ThreadNumbers.MoveOn();
        return Interlocked.Increment(ref _entries);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Exit(long ticket)
    {
        if (ticket < 0)
        {
            Interlocked.Increment(ref _oddExits);
        }
        else
        {
            Interlocked.Increment(ref _evenExits);
        }
    }

    /// <summary>
    /// Makes <paramref name="next"/> current and the current buffer retired, then flips the phase. Under _busy, with
    /// no retired buffer. The retired reference is published before the new current one, so a reader that sees
    /// the new current buffer also sees the old one (readers count a buffer that is both only once).
    /// </summary>
    private void Retire(PeriodBuffer? next)
    {
        var current = _current;
        if (current is null)
        {
            Volatile.Write(ref _current, next);
            return;
        }

        Volatile.Write(ref _retired, current);
        Volatile.Write(ref _current, next);
        bool nextEven = Volatile.Read(ref _entries) < 0;
        long start = nextEven ? 0 : long.MinValue;
        if (nextEven)
        {
            Volatile.Write(ref _evenExits, start);
        }
        else
        {
            Volatile.Write(ref _oddExits, start);
        }

        _retiredExitsTarget = Interlocked.Exchange(ref _entries, start);
        _retiredOdd = nextEven;
    }

    private bool RetiredDrained() =>
        (_retiredOdd ? Volatile.Read(ref _oddExits) : Volatile.Read(ref _evenExits)) == _retiredExitsTarget;

    private bool TryFoldRetired(SliSeries series)
    {
        if (_retired is null)
        {
            return true;
        }

        if (!RetiredDrained())
        {
            return false;
        }

        FoldRetired(series);
        return true;
    }

    private void FoldRetired(SliSeries series)
    {
        var retired = _retired;
        if (retired is null)
        {
            return;
        }

        var spin = default(SpinWait);
        while (!RetiredDrained())
        {
            spin.SpinOnce();
        }

        series.Changes.Begin();
        try
        {
            series.Fold(retired);
            Volatile.Write(ref _retired, null);
        }
        finally
        {
            series.Changes.End();
        }

        _spare = retired;
        series.SealIfHeadMovedOn(series.NewestUnixMs);
    }
}
