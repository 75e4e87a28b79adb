namespace SloMonitor.Ingest;

/// <summary>
/// Bounds the ingest pipeline: bytes of request bodies held, requests being decoded or applied, and items being
/// applied. A request takes a request slot only once its body has been read, so clients that send slowly hold
/// bytes (few) but never a slot. Callers that cannot enter are told to retry later (never dropped silently). A single
/// request larger than the byte or item capacity still gets in when it is alone, so no export can be refused forever.
/// </summary>
internal sealed class IngestGate(IngestOptions options)
{
    private int _requests;
    private long _items;
    private long _bytes;

    public long MaxBytesInFlight => options.MaxBytesInFlight;

    /// <summary>Bytes of request bodies held now.</summary>
    public long BytesInFlight => Interlocked.Read(ref _bytes);

    public BodyLease LeaseBytes() => new(this);

    /// <summary>Reserves body bytes for a request that already holds <paramref name="heldByCaller"/>.</summary>
    public bool TryReserveBytes(long count, long heldByCaller)
    {
        var total = Interlocked.Add(ref _bytes, count);
        if (total > options.MaxBytesInFlight && total != count + heldByCaller)
        {
            Interlocked.Add(ref _bytes, -count);
            return false;
        }

        IngestMetrics.BytesInFlight.Inc(count);
        return true;
    }

    public void ReleaseBytes(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _bytes, -count);
            IngestMetrics.BytesInFlight.Dec(count);
        }
    }

    public bool TryEnterRequest()
    {
        if (Interlocked.Increment(ref _requests) > options.MaxInFlightRequests)
        {
            Interlocked.Decrement(ref _requests);
            return false;
        }

        IngestMetrics.InFlightRequests.Inc();
        return true;
    }

    public void ExitRequest()
    {
        Interlocked.Decrement(ref _requests);
        IngestMetrics.InFlightRequests.Dec();
    }

    public bool TryReserveItems(int count)
    {
        var total = Interlocked.Add(ref _items, count);
        if (total > options.MaxInFlightItems && total != count)
        {
            Interlocked.Add(ref _items, -count);
            return false;
        }

        IngestMetrics.InFlightItems.Inc(count);
        return true;
    }

    public void ReleaseItems(int count)
    {
        Interlocked.Add(ref _items, -count);
        IngestMetrics.InFlightItems.Dec(count);
    }
}
