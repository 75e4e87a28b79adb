using System.Runtime.InteropServices;

namespace SloMonitor.Histograms;

/// <summary>
/// A <see cref="long"/> alone on its cache line, for a value that several cores write now and then (a series'
/// newest time) so that its writes do not evict the read-only fields next to it.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal sealed class PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
