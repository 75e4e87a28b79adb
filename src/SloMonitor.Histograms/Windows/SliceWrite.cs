using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>An open write into one histogram slice (see <see cref="HistogramRing.Write"/>); dispose when done.</summary>
internal readonly ref struct SliceWrite
{
    private readonly HistogramSlice.Cells? _cells;

    public SliceWrite(HistogramSlice.Cells cells) => _cells = cells;

    /// <summary>Where to write, or null when the tier no longer keeps the slice.</summary>
    public HistogramCells? Cells => _cells?.Buckets;

    public void Dispose()
    {
        if (_cells is not null)
        {
            HistogramSlice.Exit(_cells);
        }
    }
}
