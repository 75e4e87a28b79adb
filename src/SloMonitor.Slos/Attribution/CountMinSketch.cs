namespace SloMonitor.Slos.Attribution;

/// <summary>
/// Count-Min sketch (Cormode and Muthukrishnan, 2005) of one slice's events per (key, value), with conservative
/// update: depth rows of width 32-bit counters; an add raises each of the value's counters only as far as the
/// value's new estimate. An estimate never undercounts (up to races between concurrent adds, which each count) and
/// overcounts by at most e/width of all counts added, with probability 1 − e^−depth; conservative update makes the
/// overcount much smaller in practice. Lock-free: compare-and-swap per counter.
/// </summary>
internal sealed class CountMinSketch
{
    private readonly int[] _cells;
    private readonly int _width;
    private readonly int _depth;

    public CountMinSketch(int width, int depth)
    {
        _width = width;
        _depth = depth;
        _cells = new int[width * depth];
    }

    public int Bytes => 24 + 16 + 24 + (_cells.Length * sizeof(int));

    public void Add(ulong hash, int count)
    {
        var target = Estimate(hash) + count;
        for (var row = 0; row < _depth; row++)
        {
            ref var cell = ref _cells[(row * _width) + Column(hash, row)];
            var current = Volatile.Read(ref cell);
            while (current < target)
            {
                var seen = Interlocked.CompareExchange(ref cell, target, current);
                if (seen == current)
                {
                    break;
                }

                current = seen;
            }
        }
    }

    public int Estimate(ulong hash)
    {
        var min = int.MaxValue;
        for (var row = 0; row < _depth; row++)
        {
            min = Math.Min(min, Volatile.Read(ref _cells[(row * _width) + Column(hash, row)]));
        }

        return min;
    }

    /// <summary>Row r takes its own 32 bits of hash·(2r+1), rotated: independent enough for a few rows of one 64-bit hash.</summary>
    private int Column(ulong hash, int row)
    {
        var mixed = ulong.RotateLeft(hash * (ulong)((2 * row) + 1), row * 21);
        return (int)((mixed >> 32) % (uint)_width);
    }
}
