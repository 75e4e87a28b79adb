using System.Runtime.CompilerServices;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// Count-Min sketch (Cormode and Muthukrishnan, 2005) of one slice's events per (key, value), with conservative
/// update: depth rows of width counters; an add raises each of the value's counters only as far as the value's new
/// estimate. An estimate never undercounts (up to races between concurrent adds, which each count) and overcounts
/// by at most e/width of all counts added, with probability 1 − e^−depth; conservative update makes the overcount
/// much smaller in practice. Counters are 16-bit until one would pass 65,535, then the sketch widens to 32-bit
/// counters (copied once; an add racing with the copy may be lost). Lock-free: compare-and-swap per counter.
/// A mutable struct that lives in a field of its slice and is never copied.
/// </summary>
internal struct CountMinSketch
{
    private readonly int _width;
    private readonly int _depth;
    private ushort[]? _narrow;
    private int[]? _wide;

    public CountMinSketch(int width, int depth)
    {
        _width = width;
        _depth = depth;
        _narrow = width > 0 ? new ushort[width * depth] : null;
    }

    /// <summary>What the counters take on the heap (the struct itself is counted in its slice).</summary>
    public int Bytes
    {
        get
        {
            if (Volatile.Read(ref _wide) is { } wide)
            {
                return Heap.Array(wide.Length, sizeof(int));
            }

            return Volatile.Read(ref _narrow) is { } narrow ? Heap.Array(narrow.Length, sizeof(ushort)) : 0;
        }
    }

    public bool IsWide => Volatile.Read(ref _wide) is not null;

    public void Add(ulong hash, long count)
    {
        if (_width == 0 || count <= 0)
        {
            return;
        }

        // Narrow first: once it is gone, the wide counters are there (they are published before it is dropped).
        var narrow = Volatile.Read(ref _narrow);
        var wide = Volatile.Read(ref _wide);
        if (wide is null && narrow is not null)
        {
            var target = Estimate(narrow, hash) + count;
            if (target <= ushort.MaxValue)
            {
                Raise(narrow, hash, (ushort)target);
                return;
            }

            wide = Widen(narrow);
        }

        Raise(wide!, hash, (int)Math.Min(Estimate(wide!, hash) + count, int.MaxValue));
    }

    public long Estimate(ulong hash)
    {
        if (_width == 0)
        {
            return 0;
        }

        var narrow = Volatile.Read(ref _narrow);
        var wide = Volatile.Read(ref _wide);
        return wide is not null ? Estimate(wide, hash) : Estimate(narrow!, hash);
    }

    private readonly long Estimate(ushort[] cells, ulong hash)
    {
        long min = long.MaxValue;
        for (var row = 0; row < _depth; row++)
        {
            min = Math.Min(min, Volatile.Read(ref cells[(row * _width) + Column(hash, row)]));
        }

        return min;
    }

    private readonly long Estimate(int[] cells, ulong hash)
    {
        long min = long.MaxValue;
        for (var row = 0; row < _depth; row++)
        {
            min = Math.Min(min, Volatile.Read(ref cells[(row * _width) + Column(hash, row)]));
        }

        return min;
    }

    private readonly void Raise(ushort[] cells, ulong hash, ushort target)
    {
        for (var row = 0; row < _depth; row++)
        {
            ref var cell = ref cells[(row * _width) + Column(hash, row)];
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

    private readonly void Raise(int[] cells, ulong hash, int target)
    {
        for (var row = 0; row < _depth; row++)
        {
            ref var cell = ref cells[(row * _width) + Column(hash, row)];
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int[] Widen(ushort[] narrow)
    {
        var made = new int[narrow.Length];
        for (var i = 0; i < narrow.Length; i++)
        {
            made[i] = Volatile.Read(ref narrow[i]);
        }

        var wide = Interlocked.CompareExchange(ref _wide, made, null) ?? made;
        Volatile.Write(ref _narrow, null);
        return wide;
    }

    /// <summary>Row r takes its own 32 bits of hash·(2r+1), rotated: independent enough for a few rows of one 64-bit hash.</summary>
    private readonly int Column(ulong hash, int row)
    {
        var mixed = ulong.RotateLeft(hash * (ulong)((2 * row) + 1), row * 21);
        return (int)((mixed >> 32) % (uint)_width);
    }
}
