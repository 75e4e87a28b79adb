namespace SloMonitor.Ingest;

/// <summary>Scratch arrays a request reuses for the bucket arrays of the events it emits (events are views).</summary>
internal sealed class DeltaBuffers
{
    public double[] Bounds = new double[32];
    public ulong[] Buckets = new ulong[33];

    public double[] BoundsFor(int length) => Bounds.Length >= length ? Bounds : Bounds = new double[length * 2];

    public ulong[] BucketsFor(int length) => Buckets.Length >= length ? Buckets : Buckets = new ulong[length * 2];
}
