namespace SloMonitor.Histograms.Windows;

/// <summary>Samples of one gauge time slice: count, sum and max, each updated lock-free.</summary>
internal sealed class GaugeSlice(long number)
{
    private long _count;
    private long _sumBits;
    private long _maxBits = BitConverter.DoubleToInt64Bits(double.NegativeInfinity);

    public long Number { get; } = number;

    public long Count => Volatile.Read(ref _count);

    public double Sum => BitConverter.Int64BitsToDouble(Volatile.Read(ref _sumBits));

    public double Max => BitConverter.Int64BitsToDouble(Volatile.Read(ref _maxBits));

    public void Add(double value)
    {
        AddTo(ref _sumBits, value);
        RaiseTo(ref _maxBits, value);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Adds the samples of another slice of the same time (count, sum and max), lock-free as <see cref="Add"/>.</summary>
    public void Merge(long count, double sum, double max)
    {
        if (count <= 0)
        {
            return;
        }

        AddTo(ref _sumBits, sum);
        RaiseTo(ref _maxBits, max);
        Interlocked.Add(ref _count, count);
    }

    // A double kept as its bits in a long, added to with a compare-and-swap loop.
    private static void AddTo(ref long bits, double value)
    {
        long seen = Volatile.Read(ref bits);
        while (true)
        {
            long found = Interlocked.CompareExchange(ref bits, BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value), seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    private static void RaiseTo(ref long bits, double value)
    {
        long seen = Volatile.Read(ref bits);
        while (value > BitConverter.Int64BitsToDouble(seen))
        {
            long found = Interlocked.CompareExchange(ref bits, BitConverter.DoubleToInt64Bits(value), seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    public void Restore(long count, double sum, double max)
    {
        _count = count;
        _sumBits = BitConverter.DoubleToInt64Bits(sum);
        _maxBits = BitConverter.DoubleToInt64Bits(max);
    }
}
