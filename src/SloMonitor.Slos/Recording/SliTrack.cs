using SloMonitor.Histograms;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Recording;

/// <summary>
/// The rolling data of one SLO (or one group): an event series (good/total, with a latency histogram for latency
/// SLIs; a ratio keeps its good or bad counter in a second series), a slice series for percentile objectives, or a
/// gauge series. Recording is lock-free (the series are); evaluation takes <see cref="EvaluationLock"/> to update
/// the alert and slice state.
/// </summary>
internal sealed partial class SliTrack
{
    private readonly SliDefinition _sli;
    private SliSeries? _events;
    private SliSeries? _latency;
    private SliSeries? _numerator;
    private SliSeries? _slices;
    private GaugeSeries? _gauge;
    private readonly long _sliceMs;
    private readonly long _retentionMs;
    private readonly long _latenessMs;
    private readonly bool _numeratorIsBad;
    private long _slicesDoneUntilMs;
    private volatile bool _changed;
    private const int CheckpointVersion = 1;

    public SliTrack(SliDefinition sli, TimeSpan retention, int histogramScale, long createdAtMs)
    {
        _sli = sli;
        _retentionMs = (long)retention.TotalMilliseconds;
        _sliceMs = (long)sli.SliceLength.TotalMilliseconds;
        _latenessMs = (long)sli.SliceLateness.TotalMilliseconds;
        CreatedAtMs = createdAtMs;
        if (sli.Kind == SliKind.Gauge)
        {
            _gauge = new GaugeSeries(sli.SliceLength, retention);
            return;
        }

        if (sli.Kind == SliKind.Composite)
        {
            return; // no series: readings come from the parts (Composite)
        }

        // Latency values go to a histogram series too; the counts stay in a series of their own so that the
        // evaluation loop, which needs no quantiles, reads counters only.
        _events = new SliSeries(new SliSeriesOptions(false, histogramScale, retention));
        if (sli.Kind == SliKind.Latency)
        {
            _latency = new SliSeries(new SliSeriesOptions(true, histogramScale, retention));
        }

        if (sli.Kind == SliKind.Ratio)
        {
            _numerator = new SliSeries(new SliSeriesOptions(false, histogramScale, retention));
            _numeratorIsBad = sli.Bad is not null;
        }

        if (sli.IsTimeslice)
        {
            _slices = new SliSeries(new SliSeriesOptions(false, histogramScale, retention));
        }
    }

    public Lock EvaluationLock { get; } = new();

    /// <summary>For a composite SLI, where its readings come from; set by the SLO it belongs to.</summary>
    public CompositeSource? Composite { get; set; }

    public AlertTracker Alerts { get; } = new();

    public long CreatedAtMs { get; }

    /// <summary>Counts events: good of total (availability).</summary>
    public void RecordCounts(long unixMs, long good, long total)
    {
        _events!.Record(unixMs, good, total);
        MarkChanged();
    }

    /// <summary>A ratio's total counter.</summary>
    public void RecordTotal(long unixMs, long count)
    {
        _events!.Record(unixMs, 0, count);
        MarkChanged();
    }

    /// <summary>A ratio's good (or, with <c>bad</c>, bad) counter.</summary>
    public void RecordNumerator(long unixMs, long count)
    {
        _numerator!.Record(unixMs, count, count);
        MarkChanged();
    }

    public void RecordLatency(long unixMs, double seconds, bool good)
    {
        if (_latency!.RecordValue(unixMs, seconds, good))
        {
            _events!.Record(unixMs, good ? 1 : 0, 1);
            MarkChanged();
        }
    }

    public void RecordGauge(long unixMs, double value)
    {
        _gauge!.Record(unixMs, value);
        MarkChanged();
    }

    public void MergeExplicit(long unixMs, ReadOnlySpan<double> bounds, ReadOnlySpan<ulong> counts, long good, long total)
    {
        if (_latency!.MergeExplicit(unixMs, bounds, counts))
        {
            _events!.Record(unixMs, good, total);
            MarkChanged();
        }
    }

    public void MergeExponential(long unixMs, int scale, ulong zeroCount, int offset, ReadOnlySpan<ulong> counts, long good, long total)
    {
        if (_latency!.MergeExponential(unixMs, scale, zeroCount, offset, counts))
        {
            _events!.Record(unixMs, good, total);
            MarkChanged();
        }
    }

    /// <summary>
    /// True (and the mark cleared) when the track changed since the last call: an event was recorded, a slice judged
    /// or its alert state moved. A change that races the call is seen by this call or the next one, never by
    /// neither: writers mark after their data is in place.
    /// </summary>
    public bool TakeChanged()
    {
        if (!_changed)
        {
            return false;
        }

        _changed = false;
        return true;
    }

    /// <summary>An estimate of the memory the track's series hold, in bytes.</summary>
    public long EstimateBytes() =>
        (_events?.EstimateBytes() ?? 0) + (_latency?.EstimateBytes() ?? 0) + (_numerator?.EstimateBytes() ?? 0)
        + (_slices?.EstimateBytes() ?? 0) + (_gauge?.EstimateBytes() ?? 0);

    /// <summary>Marks the track changed; reads first, so that steady recording does not keep writing the shared flag.</summary>
    public void MarkChanged()
    {
        if (!_changed)
        {
            _changed = true;
        }
    }

    /// <summary>Events (gauge: slices with samples) in the last <paramref name="window"/>, for no-data checks.</summary>
    public long EventsIn(long nowMs, TimeSpan window) =>
        Composite is { } composite ? composite.EventsIn(nowMs, window)
        : _gauge is not null ? _gauge.CountSlices(nowMs, window, double.MaxValue, GaugeAggregation.Max).TotalSlices : _events!.Read(nowMs, window).Total;

    /// <summary>The rolling window [now − window, now]; quantiles only when <paramref name="withLatency"/>.</summary>
    public TrackReading ReadRolling(long nowMs, TimeSpan window, bool withLatency)
    {
        if (Composite is { } composite)
        {
            return composite.ReadRolling(nowMs, window);
        }

        if (_gauge is not null)
        {
            return Gauge(nowMs, window);
        }

        var latency = withLatency && _latency is not null ? Quantiles(_latency.Read(nowMs, window).Histogram) : null;
        return Combine(_events!.Read(nowMs, window), _numerator?.Read(nowMs, window), _slices?.Read(nowMs, window), latency);
    }

    /// <summary>The window [from, to), for calendar windows and history.</summary>
    public TrackReading Read(long fromMs, long toMs, bool withLatency)
    {
        if (Composite is { } composite)
        {
            return composite.Read(fromMs, toMs);
        }

        if (_gauge is not null)
        {
            return Gauge(toMs, TimeSpan.FromMilliseconds(Math.Max(1, toMs - fromMs)));
        }

        var latency = withLatency && _latency is not null ? Quantiles(ReadRange(_latency, fromMs, toMs).Histogram) : null;
        return Combine(ReadRange(_events!, fromMs, toMs), _numerator is null ? null : ReadRange(_numerator, fromMs, toMs), _slices is null ? null : ReadRange(_slices, fromMs, toMs), latency);
    }

    /// <summary>The span of time whose events <see cref="Read"/> of [from, to) counts (the edges of the slices it takes).</summary>
    public (long FromMs, long ToMs) CountedBounds(long fromMs, long toMs)
    {
        var series = _events ?? _slices;
        return series is null || series.NewestUnixMs < 0 ? (fromMs, toMs) : series.CalendarBounds(fromMs, Math.Min(toMs, series.NewestUnixMs + 1));
    }

    /// <summary>The latency values of the window ending at <paramref name="nowMs"/>; null for SLIs without a latency histogram.</summary>
    public HistogramSnapshot? LatencyHistogram(long nowMs, TimeSpan window) => _latency?.Read(nowMs, window).Histogram;

    /// <summary>
    /// p50/p95/p99 of the latency values in [from, to) (history points), read like <see cref="Read"/>; null for SLIs
    /// without a latency histogram.
    /// </summary>
    public LatencySummary? LatencyBetween(long fromMs, long toMs) =>
        _latency is null ? null : Quantiles(ReadRange(_latency, Math.Max(0, fromMs), toMs).Histogram);

    /// <summary>
    /// Judges every slice that ended at least the lateness allowance before <paramref name="nowMs"/> and was not
    /// judged yet (percentile objectives): a slice is good when its percentile is at most the threshold; slices
    /// without events are not counted. Empty stretches are skipped by halving, so catching up costs a few reads.
    /// Events arriving for a judged slice are not counted again.
    /// </summary>
    public void JudgeSlices(long nowMs)
    {
        if (_slices is null)
        {
            return;
        }

        var until = Math.Max(0, nowMs - _latenessMs);
        var end = until - (until % _sliceMs);
        var start = Math.Max(_slicesDoneUntilMs, Math.Max(0, end - _retentionMs + _sliceMs));
        start -= start % _sliceMs;
        if (start < end)
        {
            JudgeRange(start, end);
        }

        _slicesDoneUntilMs = Math.Max(_slicesDoneUntilMs, end);
    }

    /// <summary>
    /// The starts of the slices that have ended by <paramref name="nowMs"/> and hold data but are not judged yet,
    /// because they are within the lateness allowance (time-slice SLIs; empty for others). Oldest first.
    /// </summary>
    public List<long> PendingSlices(long nowMs)
    {
        var pending = new List<long>();
        if (_slices is null && _gauge is null)
        {
            return pending;
        }

        var ended = nowMs - (nowMs % _sliceMs);
        var until = Math.Max(0, nowMs - _latenessMs);
        var first = _gauge is not null ? until - (until % _sliceMs) : Math.Max(_slicesDoneUntilMs, until - (until % _sliceMs));
        first = Math.Max(first, ended - _retentionMs + _sliceMs);
        for (var start = Math.Max(0, first); start < ended; start += _sliceMs)
        {
            var hasData = _gauge is not null
                ? _gauge.CountSlices(start + _sliceMs, TimeSpan.FromMilliseconds(_sliceMs), double.MaxValue, GaugeAggregation.Max).TotalSlices > 0
                : ReadRange(_events!, start, start + _sliceMs).Total > 0;
            if (hasData)
            {
                pending.Add(start);
            }
        }

        return pending;
    }

    /// <summary>p50/p95/p99 of the latency values in the rolling window [now − window, now]; null without a latency histogram.</summary>
    public LatencySummary? LatencyRolling(long nowMs, TimeSpan window) =>
        _latency is null ? null : Quantiles(_latency.Read(nowMs, window).Histogram);

    /// <summary>
    /// [from, to) cut at the series' newest event: nothing lies beyond it, and a series picks the tier for a range
    /// by its newest event while it sums back from <paramref name="toMs"/>, so a series that went quiet would lose
    /// its older slices if read up to now.
    /// </summary>
    private static WindowReading ReadRange(SliSeries series, long fromMs, long toMs)
    {
        var newest = series.NewestUnixMs;
        return newest < 0 || fromMs > newest ? default : series.Read(fromMs, Math.Min(toMs, newest + 1));
    }

    /// <summary>The slices of [now − window, now] that ended at least the lateness allowance ago, judged.</summary>
    private TrackReading Gauge(long nowMs, TimeSpan window)
    {
        var judgedWindow = window - TimeSpan.FromMilliseconds(_latenessMs);
        var judgedUntil = nowMs - _latenessMs;
        if (judgedWindow <= TimeSpan.Zero || judgedUntil <= 0)
        {
            return new TrackReading(0, 0, -1, null);
        }

        var (good, total) = _gauge!.CountSlices(judgedUntil, judgedWindow, _sli.Threshold!.Value, _sli.Aggregation == GaugeAggregationKind.Avg ? GaugeAggregation.Avg : GaugeAggregation.Max);
        return new TrackReading(good, total, -1, null);
    }

    private TrackReading Combine(WindowReading events, WindowReading? numerator, WindowReading? slices, LatencySummary? latency)
    {
        if (slices is { } judged)
        {
            return new TrackReading(judged.Good, judged.Total, events.Total, latency);
        }

        if (numerator is { } counted)
        {
            // Good (or bad) and total come from separate counters, so a window may briefly see more of one than the other.
            var part = Math.Min(counted.Total, events.Total);
            return new TrackReading(_numeratorIsBad ? events.Total - part : part, events.Total, events.Total, null);
        }

        return new TrackReading(events.Good, events.Total, events.Total, latency);
    }

    private void JudgeRange(long from, long to)
    {
        // Merged histograms (metric SLIs) count only in the histogram, not in the series' total.
        var reading = ReadRange(_latency!, from, to);
        if (reading.Total == 0 && (reading.Histogram is null || reading.Histogram.Count == 0))
        {
            return;
        }

        if (to - from <= _sliceMs)
        {
            var quantile = reading.Histogram?.Quantile(_sli.Percentile!.Value / 100.0) ?? double.NaN;
            if (!double.IsNaN(quantile))
            {
                _slices!.Record(to - 1, quantile <= _sli.Threshold!.Value ? 1 : 0, 1);
                MarkChanged();
            }

            return;
        }

        var slices = (to - from) / _sliceMs;
        var middle = from + (slices / 2 * _sliceMs);
        JudgeRange(from, middle);
        JudgeRange(middle, to);
    }

    private static LatencySummary? Quantiles(HistogramSnapshot? histogram)
    {
        if (histogram is null || histogram.Count == 0)
        {
            return new LatencySummary(null, null, null);
        }

        return new LatencySummary(Finite(histogram.Quantile(0.5)), Finite(histogram.Quantile(0.95)), Finite(histogram.Quantile(0.99)));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
