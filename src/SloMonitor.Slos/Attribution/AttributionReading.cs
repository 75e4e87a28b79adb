namespace SloMonitor.Slos.Attribution;

/// <summary>
/// One value of one key over a window: its bad events (<see cref="Bad"/>, overcounted by at most
/// <see cref="BadError"/>), the events counted for it (<see cref="Total"/>), and both as shares of the window.
/// </summary>
internal sealed record AttributionValue(string Key, string Value, long Bad, long BadError, long Total, double BadShare, double TotalShare)
{
    /// <summary>How much more of the bad events than of the traffic the value holds: badShare − totalShare.</summary>
    public double Excess => BadShare - TotalShare;
}

internal sealed record AttributionKey(string Key, AttributionValue[] Values);

/// <summary>
/// Attribution of one SLO over a window: the bad and total events in it (<see cref="SampleEvery"/> says how good
/// events were sampled), the top values per key by bad events, and across keys the values most over-represented
/// among bad events (<see cref="Top"/>, by <see cref="AttributionValue.Excess"/>).
/// </summary>
internal sealed record AttributionReading(
    TimeSpan Window, DateTimeOffset From, DateTimeOffset To, long Bad, long Total, int SampleEvery, AttributionKey[] Keys, AttributionValue[] Top);
