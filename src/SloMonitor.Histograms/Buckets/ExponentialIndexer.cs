using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// Maps positive finite doubles to OpenTelemetry exponential bucket indexes: at scale s, bucket i covers
/// (base^i, base^(i+1)] with base = 2^(2^-s). Scales up to <see cref="MaxTableScale"/> use a lookup table over the
/// top mantissa bits (no logarithm on the hot path); larger scales fall back to <see cref="Math.Log2(double)"/>.
/// </summary>
internal sealed class ExponentialIndexer
{
    public const int MinScale = -10;
    public const int MaxScale = 20;
    public const int MaxTableScale = 10;
    private const long MantissaMask = (1L << 52) - 1;

    private static readonly ExponentialIndexer?[] Cache = new ExponentialIndexer?[MaxScale - MinScale + 1];

    private readonly int _scale;
    private readonly int _cellShift;
    private readonly int[] _cellLow;
    private readonly long[] _cellThreshold;

    private ExponentialIndexer(int scale)
    {
        _scale = scale;
        if (scale < 0 || scale > MaxTableScale)
        {
            _cellLow = [];
            _cellThreshold = [];
            return;
        }

        // Cells are half as wide as the narrowest bucket, so each cell holds at most one bucket boundary.
        int cellBits = scale + 1;
        int cells = 1 << cellBits;
        int subBuckets = 1 << scale;
        _cellShift = 52 - cellBits;
        _cellLow = new int[cells];
        _cellThreshold = new long[cells];
        for (int c = 0; c < cells; c++)
        {
            long cellStart = (long)c << _cellShift;
            long cellEnd = ((long)(c + 1) << _cellShift) - 1;
            int below = 0;
            long threshold = long.MaxValue;
            for (int k = 1; k < subBuckets; k++)
            {
                long boundary = BitConverter.DoubleToInt64Bits(Math.Pow(2, (double)k / subBuckets)) & MantissaMask;
                if (boundary < cellStart)
                {
                    below++;
                }
                else if (boundary <= cellEnd)
                {
                    threshold = boundary;
                }
            }

            _cellLow[c] = below;
            _cellThreshold[c] = threshold;
        }
    }

    public int Scale => _scale;

    public static ExponentialIndexer For(int scale)
    {
        if (scale < MinScale || scale > MaxScale)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale must be between {MinScale} and {MaxScale}");
        }

        ref var slot = ref Cache[scale - MinScale];
        return slot ??= new ExponentialIndexer(scale);
    }

    /// <summary>Bucket index of a positive finite value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Index(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biasedExponent = (int)(bits >> 52);
        long mantissa = bits & MantissaMask;
        if (biasedExponent == 0 || _cellLow.Length == 0)
        {
            return IndexSlow(value, biasedExponent, mantissa);
        }

        // The cell is below 2^(scale+1) = table length by construction, so the bounds checks can go.
        int exponent = biasedExponent - 1023;
        nint cell = (nint)(mantissa >> _cellShift);
        int low = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cellLow), cell);
        long threshold = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cellThreshold), cell);
        int sub = low + (mantissa > threshold ? 1 : 0) - (mantissa == 0 ? 1 : 0);
        return (exponent << _scale) + sub;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int IndexSlow(double value, int biasedExponent, long mantissa)
    {
        if (biasedExponent != 0 && _scale < 0)
        {
            int exponent = biasedExponent - 1023 - (mantissa == 0 ? 1 : 0);
            return exponent >> -_scale;
        }

        if (biasedExponent != 0 && mantissa == 0)
        {
            return ((biasedExponent - 1023) << _scale) - 1;
        }

        double log = Math.Log2(value);
        if (_scale < 0)
        {
            return (int)Math.Floor(Math.Ceiling(log) - 1) >> -_scale;
        }

        return (int)Math.Ceiling(log * (1 << _scale)) - 1;
    }

    /// <summary>Lower (exclusive) bound of bucket <paramref name="index"/> at <paramref name="scale"/>.</summary>
    public static double LowerBound(int scale, int index) => Math.Pow(2, Math.ScaleB(index, -scale));

    /// <summary>
    /// The point of bucket (L, U] whose relative distance to every value in the bucket is at most (U-L)/(U+L):
    /// the harmonic mean 2LU/(L+U). At scale 5 that bound is 1.08%.
    /// </summary>
    public static double Representative(int scale, int index)
    {
        double lower = LowerBound(scale, index);
        double upper = LowerBound(scale, index + 1);
        if (double.IsPositiveInfinity(upper))
        {
            return lower;
        }

        double point = 2 / (1 / lower + 1 / upper);
        return double.IsFinite(point) && point > 0 ? point : lower;
    }

    /// <summary>Largest relative error of <see cref="Representative"/> at a scale: (base-1)/(base+1).</summary>
    public static double RelativeError(int scale)
    {
        double growth = Math.Pow(2, Math.ScaleB(1, -scale));
        return (growth - 1) / (growth + 1);
    }

    /// <summary>Smallest and largest index any positive finite double maps to at a scale.</summary>
    public static (int Min, int Max) IndexRange(int scale)
    {
        var indexer = For(scale);
        return (indexer.Index(double.Epsilon), indexer.Index(double.MaxValue));
    }
}
