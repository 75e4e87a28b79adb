using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// The histogram of one time slice. It starts live (lock-free <see cref="HistogramCells"/>) and is sealed once no
/// write stripe can reach it any more: its buckets are encoded into one byte array (<see cref="SealedBuckets"/>)
/// and the live cells are dropped. A write that still arrives (a late event, a stale stripe, a merge) goes into new
/// live cells beside the sealed bytes, so it counts exactly; the next seal folds them into new sealed bytes.
/// </summary>
/// <remarks>
/// The slice's parts are one immutable <see cref="State"/>, swapped with a compare-and-swap, so a reader always sees
/// disjoint parts (sealed bytes, cells being sealed, live cells) and counts each event once. Writers register in
/// the live cells around each write (one <see cref="Interlocked"/> increment, and a decrement when done). Sealing
/// first moves the live cells aside (new writers then open fresh cells), then sets the sign bit of their writer
/// count, and encodes them with the sealed bytes only once every registered writer has left; it never waits for
/// them: when a writer is still inside, <see cref="TrySeal"/> returns false and a later call finishes the job. So
/// no write is ever lost or counted twice, and no writer ever waits.
/// </remarks>
internal sealed class HistogramSlice
{
    private readonly int _scale;

    /// <summary>A <see cref="State"/>, or just the sealed bytes when the slice holds nothing else (most slices).</summary>
    private object _state;

    public HistogramSlice(long number, int scale)
    {
        Number = number;
        _scale = scale;
        _state = new State(null, null, new Cells(scale));
    }

    public long Number { get; }

    public int Scale => _scale;

    /// <summary>True when everything the slice holds is in its sealed bytes.</summary>
    public bool IsSealed => Volatile.Read(ref _state) is byte[];

    /// <summary>The live cells of a slice being restored from a checkpoint, before anything else can reach it.</summary>
    public HistogramCells CellsToRestore => (_state as State)?.Live?.Buckets ?? throw new InvalidOperationException("a sealed slice cannot be restored into");

    /// <summary>The cells to write into; call <see cref="Exit"/> with the result when done.</summary>
    public Cells Enter()
    {
        while (true)
        {
            object seen = Volatile.Read(ref _state);
            var state = Read(seen);
            var live = state.Live;
            if (live is null)
            {
                live = new Cells(_scale);
                if (Interlocked.CompareExchange(ref _state, new State(state.Sealed, state.Sealing, live), seen) != seen)
                {
                    continue;
                }
            }

            if (Interlocked.Increment(ref live.Writers) > 0)
            {
                return live;
            }

            // Being sealed: by now the state holds fresh live cells (they are moved aside before the flag is set).
            Interlocked.Decrement(ref live.Writers);
        }
    }

    public static void Exit(Cells cells) => Interlocked.Decrement(ref cells.Writers);

    /// <summary>
    /// Seals what the slice holds; false when a writer is still inside the cells being sealed (new writers already
    /// go elsewhere, so a later call succeeds). Safe to call from several threads at once.
    /// </summary>
    public bool TrySeal()
    {
        while (true)
        {
            object seen = Volatile.Read(ref _state);
            if (seen is byte[])
            {
                return true;
            }

            var state = (State)seen;
            if (state.Sealing is { } sealing)
            {
                if (Volatile.Read(ref sealing.Writers) != Cells.SealingFlag)
                {
                    return false;
                }

                var bytes = Encode(state.Sealed, sealing.Buckets);
                object next = state.Live is null ? bytes : new State(bytes, null, state.Live);
                Interlocked.CompareExchange(ref _state, next, seen);
                continue;
            }

            var live = state.Live!;
            if (Interlocked.CompareExchange(ref _state, new State(state.Sealed, live, null), seen) == seen)
            {
                Interlocked.Or(ref live.Writers, Cells.SealingFlag);
            }
        }
    }

    /// <summary>Adds every count of this slice into <paramref name="target"/>.</summary>
    public void CopyTo(IBucketSink target)
    {
        object seen = Volatile.Read(ref _state);
        if (seen is byte[] sealedOnly)
        {
            SealedBuckets.CopyTo(sealedOnly, target);
            return;
        }

        var state = (State)seen;
        if (state.Sealed is { } bytes)
        {
            SealedBuckets.CopyTo(bytes, target);
        }

        state.Sealing?.Buckets.CopyTo(target);
        state.Live?.Buckets.CopyTo(target);
    }

    public long EstimateBytes()
    {
        object seen = Volatile.Read(ref _state);
        var state = Read(seen);
        return 40 + (seen is State ? 40 : 0) + (state.Sealed is { } bytes ? 24 + bytes.Length : 0)
            + (state.Sealing is null ? 0 : 32 + state.Sealing.Buckets.EstimateBytes())
            + (state.Live is null ? 0 : 32 + state.Live.Buckets.EstimateBytes());
    }

    private static State Read(object state) => state as State ?? new State((byte[])state, null, null);

    private byte[] Encode(byte[]? sealedBytes, HistogramCells cells)
    {
        if (sealedBytes is null)
        {
            return SealedBuckets.Encode(cells);
        }

        var merged = new HistogramCells(_scale);
        SealedBuckets.CopyTo(sealedBytes, merged);
        cells.CopyTo(merged);
        return SealedBuckets.Encode(merged);
    }

    /// <summary>Live cells and the writers inside them (the sign bit set once they are being sealed).</summary>
    internal sealed class Cells(int scale)
    {
        public const int SealingFlag = int.MinValue;

        public readonly HistogramCells Buckets = new(scale);

        public int Writers;
    }

    /// <summary>The parts of the slice at one moment; replaced whole, never changed.</summary>
    private sealed class State(byte[]? sealedBytes, Cells? sealing, Cells? live)
    {
        public byte[]? Sealed { get; } = sealedBytes;

        public Cells? Sealing { get; } = sealing;

        public Cells? Live { get; } = live;
    }
}
