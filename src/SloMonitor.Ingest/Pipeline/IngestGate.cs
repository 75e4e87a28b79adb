namespace SloMonitor.Ingest;

/// <summary>
/// Bounds the ingest pipeline: requests in flight and items being applied. Callers that cannot enter are told to
/// retry later (never dropped silently). A single request larger than the item capacity still gets in when it is
/// alone, so no export can be refused forever.
/// </summary>
internal sealed class IngestGate(IngestOptions options)
{
    private int _requests;
    private long _items;

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
