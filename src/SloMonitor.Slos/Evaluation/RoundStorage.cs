namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Room for the window figures of every evaluation of one round, in one array the round allocates at its start and
/// hands out in slices. A round's figures live until the next round publishes (every reader of the snapshot may hold
/// them), so as small objects each collection during the next round would copy them all, and promote them; one array
/// this size lives on the large object heap, which those collections neither copy nor promote. Nothing writes a slice
/// once its evaluation is done: readers share them as they do any published figure. When more evaluations come than
/// the round counted (groups created while it runs), they get arrays of their own.
/// </summary>
internal sealed class RoundStorage(int windows)
{
    private readonly WindowStatus[] _windows = new WindowStatus[windows];
    private int _used;

    /// <summary>A slice of <paramref name="count"/> windows for one evaluation, from this round's array while it has room.</summary>
    public (WindowStatus[] Array, int Offset) TakeWindows(int count)
    {
        var end = Interlocked.Add(ref _used, count);
        return end <= _windows.Length ? (_windows, end - count) : (new WindowStatus[count], 0);
    }
}
