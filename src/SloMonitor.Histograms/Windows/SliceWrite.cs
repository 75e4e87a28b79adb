using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>An open write into one histogram slice (see <see cref="HistogramRing.Write"/>); dispose when done.</summary>
internal readonly ref struct SliceWrite
{
    private readonly HistogramSlice? _registeredIn;

    public SliceWrite(HistogramCells cells, HistogramSlice? registeredIn)
    {
        Cells = cells;
        _registeredIn = registeredIn;
    }

    /// <summary>Where to write, or null when the tier no longer keeps the slice.</summary>
    public HistogramCells? Cells { get; }

    public void Dispose() => _registeredIn?.Exit();
}
