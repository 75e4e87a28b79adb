namespace SloMonitor.Ingest;

/// <summary>
/// The bytes of request bodies one export request holds (as received, after decompression, and, standing for the
/// decoded request, until it is answered), counted against <see cref="IngestOptions.MaxBytesInFlight"/>. A request
/// that holds nothing else may always grow up to its own limit, so no export is refused forever.
/// </summary>
internal sealed class BodyLease(IngestGate gate) : IDisposable
{
    private long _held;

    public long Held => _held;

    public long MaxBytes => gate.MaxBytesInFlight;

    /// <summary>Takes <paramref name="bytes"/> more; false (taking nothing) when other requests hold the rest of the budget.</summary>
    public bool TryAdd(long bytes)
    {
        if (!gate.TryReserveBytes(bytes, _held))
        {
            return false;
        }

        _held += bytes;
        return true;
    }

    /// <summary>Takes <paramref name="bytes"/> more, or throws <see cref="BytesInFlightException"/>.</summary>
    public void Add(long bytes)
    {
        if (!TryAdd(bytes))
        {
            throw new BytesInFlightException(MaxBytes);
        }
    }

    public void Remove(long bytes)
    {
        bytes = Math.Min(bytes, _held);
        _held -= bytes;
        gate.ReleaseBytes(bytes);
    }

    public void Dispose() => Remove(_held);
}

/// <summary>Request bodies in flight already hold <see cref="IngestOptions.MaxBytesInFlight"/> bytes.</summary>
internal sealed class BytesInFlightException(long maxBytes)
    : Exception($"request bodies being received, decoded or applied hold the limit of {maxBytes} bytes (Ingest:MaxBytesInFlight); retry later");
