using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// The histogram of one time slice. It starts live (lock-free <see cref="HistogramCells"/>) and is sealed once no
/// write stripe can reach it any more: its buckets are encoded into one byte array (<see cref="SealedBuckets"/>)
/// and the live cells are dropped. A write that still arrives (a late event, a stale stripe, a merge) goes into
/// small late cells created beside the sealed bytes, so it counts exactly; a reading adds both.
/// </summary>
/// <remarks>
/// Writers register around each write (<see cref="Enter"/>: one <see cref="Interlocked"/> increment, and a
/// decrement when done). Sealing first sets the sign bit of that count, after which new writers go to the late
/// cells, and encodes only once every registered writer has left; it never waits for them: when a writer is still
/// inside, <see cref="TrySeal"/> returns false and a later call finishes the job. So no write is ever lost or
/// counted twice, and no writer ever waits. The sealed bytes are published before the live cells are dropped, so a
/// reader that finds no live cells always finds the bytes.
/// </remarks>
internal sealed class HistogramSlice
{
    private const int SealingFlag = int.MinValue;

    private readonly int _scale;
    private HistogramCells? _live;
    private byte[]? _sealed;
    private HistogramCells? _late;
    private int _writers;

    public HistogramSlice(long number, int scale)
    {
        Number = number;
        _scale = scale;
        _live = new HistogramCells(scale);
    }

    public long Number { get; }

    public int Scale => _scale;

    public bool IsSealed => Volatile.Read(ref _live) is null;

    /// <summary>True once a write reached the slice after it was sealed.</summary>
    public bool HasLateCells => Volatile.Read(ref _late) is not null;

    /// <summary>The live cells of a slice being restored from a checkpoint, before anything else can reach it.</summary>
    public HistogramCells CellsToRestore => _live ?? throw new InvalidOperationException("a sealed slice cannot be restored into");

    /// <summary>The cells to write into; when <paramref name="registered"/>, call <see cref="Exit"/> after writing.</summary>
    public HistogramCells Enter(out bool registered)
    {
        if (Volatile.Read(ref _writers) >= 0)
        {
            if (Interlocked.Increment(ref _writers) > 0)
            {
                registered = true;
                return _live!;
            }

            Interlocked.Decrement(ref _writers);
        }

        registered = false;
        return Late();
    }

    public void Exit() => Interlocked.Decrement(ref _writers);

    /// <summary>
    /// Seals the slice; false when a writer is still inside the live cells (new writers already go to the late
    /// cells, so a later call succeeds). Safe to call from several threads at once.
    /// </summary>
    public bool TrySeal()
    {
        var live = Volatile.Read(ref _live);
        if (live is null)
        {
            return true;
        }

        Interlocked.Or(ref _writers, SealingFlag);
        if (Volatile.Read(ref _writers) != SealingFlag)
        {
            return false;
        }

        Interlocked.CompareExchange(ref _sealed, SealedBuckets.Encode(live), null);
        Volatile.Write(ref _live, null);
        return true;
    }

    /// <summary>Adds every count of this slice (live or sealed, and late) into <paramref name="target"/>.</summary>
    public void CopyTo(IBucketSink target)
    {
        var live = Volatile.Read(ref _live);
        if (live is not null)
        {
            live.CopyTo(target);
        }
        else
        {
            SealedBuckets.CopyTo(Volatile.Read(ref _sealed), target);
        }

        Volatile.Read(ref _late)?.CopyTo(target);
    }

    public long EstimateBytes()
    {
        long bytes = 56 + (Volatile.Read(ref _live)?.EstimateBytes() ?? 0) + (Volatile.Read(ref _late)?.EstimateBytes() ?? 0);
        return Volatile.Read(ref _sealed) is { } sealedBytes ? bytes + 24 + sealedBytes.Length : bytes;
    }

    private HistogramCells Late()
    {
        var late = Volatile.Read(ref _late);
        if (late is null)
        {
            Interlocked.CompareExchange(ref _late, new HistogramCells(_scale), null);
            late = Volatile.Read(ref _late)!;
        }

        return late;
    }
}
