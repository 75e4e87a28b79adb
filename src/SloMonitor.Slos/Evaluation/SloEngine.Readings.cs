namespace SloMonitor.Slos.Evaluation;

/// <summary>What the API and reports read of the running SLOs' series: burndown, reports, latency bins, history, memory.</summary>
public sealed partial class SloEngine
{
    /// <summary>How the budget of the SLO window ending now was spent, in about <paramref name="points"/> points; null when unknown.</summary>
    public SloBurndown? Burndown(string name, int points = SloBurndown.DefaultPoints) =>
        _index.TryGet(name, out var slo) ? SloBurndownReader.Read(slo, _time.GetUtcNow(), points) : null;

    /// <summary>Every SLO (of <paramref name="service"/> and of <paramref name="team"/>, its <c>team</c> label, when given) over [from, to), by name.</summary>
    public IReadOnlyList<Reports.SloReportRow> Report(DateTimeOffset from, DateTimeOffset to, string? service = null, string? team = null)
    {
        var now = _time.GetUtcNow();
        var rows = new List<Reports.SloReportRow>();
        foreach (var slo in _index.ToList())
        {
            var definition = slo.Definition;
            if ((service is null || definition.Service == service) && (team is null || definition.Labels.GetValueOrDefault("team") == team))
            {
                rows.Add(Reports.SloReportReader.Read(slo, from, to, now));
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Slo, b.Slo));
        return rows;
    }

    /// <summary>The latency values of the SLO's window ending now, as bins; null when the SLO is unknown or has no latency histogram.</summary>
    public LatencyBins? LatencyHistogram(string name, TimeSpan window, int maxBins = LatencyBins.DefaultMaxBins) =>
        _index.TryGet(name, out var slo) && slo.Tracks.Overall.LatencyHistogram(_time.GetUtcNow().ToUnixTimeMilliseconds(), window) is { } histogram
            ? LatencyBins.From(histogram, maxBins)
            : null;

    /// <summary>The chart series of one SLO between two instants; null when unknown.</summary>
    public SloHistory? History(string name, DateTimeOffset from, DateTimeOffset to, TimeSpan step) =>
        _index.TryGet(name, out var slo) ? SloHistoryReader.Read(slo, from, to, step, _time.GetUtcNow(), slo.Tracks.Retention) : null;

    /// <summary>An estimate of the memory every SLO's series hold, in bytes (reads every series' slots: not for the record path).</summary>
    public long EstimateBytes()
    {
        long bytes = 0;
        foreach (var slo in _index.ToList())
        {
            foreach (var (_, track) in slo.Tracks.All())
            {
                bytes += track.EstimateBytes();
            }
        }

        return bytes;
    }
}
