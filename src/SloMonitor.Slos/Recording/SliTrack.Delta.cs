namespace SloMonitor.Slos.Recording;

/// <summary>A track used as a delta: what one instance recorded since its last flush, emptied once handed on.</summary>
internal sealed partial class SliTrack
{
    /// <summary>
    /// Empties every series of the track for reuse, keeping their write stripes and buffers, and clears the change
    /// mark; the alert state is left alone (a delta is never evaluated). Only while nothing records into the track.
    /// </summary>
    public void Clear()
    {
        _events?.Clear();
        _latency?.Clear();
        _numerator?.Clear();
        _slices?.Clear();
        _gauge?.Clear();
        _slicesDoneUntilMs = 0;
        _changed = false;
    }
}
