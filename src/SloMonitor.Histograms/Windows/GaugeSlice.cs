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
        long seen = Volatile.Read(ref _sumBits);
        while (true)
        {
            long next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
            long found = Interlocked.CompareExchange(ref _sumBits, next, seen);
            if (found == seen)
            {
                break;
            }

            seen = found;
        }

        seen = Volatile.Read(ref _maxBits);
        while (value > BitConverter.Int64BitsToDouble(seen))
        {
            long found = Interlocked.CompareExchange(ref _maxBits, BitConverter.DoubleToInt64Bits(value), seen);
            if (found == seen)
            {
                break;
            }

            seen = found;
        }

        Interlocked.Increment(ref _count);
    }

    /// <summary>Adds the samples of another slice of the same time (count, sum and max), lock-free as <see cref="Add"/>.</summary>
    public void Merge(long count, double sum, double max)
    {
        if (count <= 0)
        {
            return;
        }

        long seen = Volatile.Read(ref _sumBits);
        while (true)
        {
            long found = Interlocked.CompareExchange(ref _sumBits, BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + sum), seen);
            if (found == seen)
            {
                break;
            }

            seen = found;
        }

        seen = Volatile.Read(ref _maxBits);
        while (max > BitConverter.Int64BitsToDouble(seen))
        {
            long found = Interlocked.CompareExchange(ref _maxBits, BitConverter.DoubleToInt64Bits(max), seen);
            if (found == seen)
            {
                break;
            }

            seen = found;
        }

        Interlocked.Add(ref _count, count);
    }

    public void Restore(long count, double sum, double max)
    {
        _count = count;
        _sumBits = BitConverter.DoubleToInt64Bits(sum);
        _maxBits = BitConverter.DoubleToInt64Bits(max);
    }
}
