using System.Runtime.CompilerServices;
using SloMonitor.Otlp;
using SloMonitor.Slos.Attribution;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Recording;

/// <summary>
/// Where a span or a metric point becomes SLI events: match the compiled selectors, pick the group's track, count.
/// No LINQ and no allocation on this path, except once per new group.
/// </summary>
internal static class SloRecorder
{
    private const char KeySeparator = '\u001f';

    public static void OnSpan(CompiledSlo slo, in SpanEvent span) => OnSpan(slo, slo.Tracks, span);

    /// <summary>Records a span matched against <paramref name="slo"/> into <paramref name="tracks"/> (the SLO's own, or a delta of them).</summary>
    public static void OnSpan(CompiledSlo slo, TrackSet tracks, in SpanEvent span) => OnSpan(slo, tracks, null, span);

    /// <summary>
    /// Records a span matched against <paramref name="slo"/> into <paramref name="tracks"/> and, when given, into
    /// <paramref name="also"/> too (a delta beside the SLO's own tracks): the selectors are matched once for both.
    /// </summary>
    public static void OnSpan(CompiledSlo slo, TrackSet tracks, TrackSet? also, in SpanEvent span)
    {
        if (Matches(slo, span))
        {
            RecordMatched(slo, tracks, also, span);
        }
    }

    /// <summary>Whether <paramref name="slo"/> counts <paramref name="span"/> at all (its selector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Matches(CompiledSlo slo, in SpanEvent span) => SelectorMatch.Matches(slo.Match, span);

    /// <summary>Records a span that <see cref="Matches"/> <paramref name="slo"/>, into <paramref name="tracks"/> and <paramref name="also"/>.</summary>
    public static void RecordMatched(CompiledSlo slo, TrackSet tracks, TrackSet? also, in SpanEvent span)
    {
        var sli = slo.Definition.Sli;
        var unixMs = span.EndTimeUnixNano / 1_000_000;
        var group = GroupOf(tracks, also, span, out var alsoGroup);
        if (sli.Kind == SliKind.Latency)
        {
            var seconds = span.DurationSeconds;
            var good = seconds <= sli.Threshold!.Value;
            RecordLatency(tracks, group, span, unixMs, seconds, good);
            if (also is not null)
            {
                RecordLatency(also, alsoGroup, span, unixMs, seconds, good);
            }
        }
        else
        {
            var bad = slo.SpanBad is { } badMatchers ? SelectorMatch.Matches(badMatchers, span) : span.StatusCode == SpanStatusCode.Error;
            RecordCount(tracks, group, span, unixMs, bad);
            if (also is not null)
            {
                RecordCount(also, alsoGroup, span, unixMs, bad);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordLatency(TrackSet tracks, SliTrack? group, in SpanEvent span, long unixMs, double seconds, bool good)
    {
        tracks.Overall.RecordLatency(unixMs, seconds, good);
        group?.RecordLatency(unixMs, seconds, good);
        Attribute(tracks.Attribution, span, unixMs, seconds, good);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordCount(TrackSet tracks, SliTrack? group, in SpanEvent span, long unixMs, bool bad)
    {
        var good = bad ? 0 : 1;
        tracks.Overall.RecordCounts(unixMs, good, 1);
        group?.RecordCounts(unixMs, good, 1);
        Attribute(tracks.Attribution, span, unixMs, span.DurationSeconds, !bad);
    }

    public static void OnMetricPoint(MetricRoute route, in MetricPointEvent point) => OnMetricPoint(route, route.Slo.Tracks, point);

    /// <summary>Records a point routed to <paramref name="route"/> into <paramref name="tracks"/> (the SLO's own, or a delta of them).</summary>
    public static void OnMetricPoint(MetricRoute route, TrackSet tracks, in MetricPointEvent point)
    {
        if (route.Service is { } service && !string.Equals(point.ServiceName, service, StringComparison.Ordinal))
        {
            return;
        }

        if (!SelectorMatch.Matches(route.Matchers, point))
        {
            return;
        }

        var unixMs = point.TimeUnixNano / 1_000_000;
        var group = tracks.GroupBy.Length == 0 ? null : GroupOf(tracks, point);
        switch (route.Role)
        {
            case MetricRole.Gauge:
                if (point.Kind == MetricPointKind.Gauge && double.IsFinite(point.Value))
                {
                    tracks.Overall.RecordGauge(unixMs, point.Value);
                    group?.RecordGauge(unixMs, point.Value);
                }

                break;
            case MetricRole.Latency:
                RecordHistogram(route.Slo, tracks, group, unixMs, point);
                break;
            default:
                var count = CountOf(point);
                if (count <= 0)
                {
                    return;
                }

                if (route.Role == MetricRole.Total)
                {
                    tracks.Overall.RecordTotal(unixMs, count);
                    group?.RecordTotal(unixMs, count);
                    tracks.Attribution?.OnPoint(point, unixMs, count, 0);
                }
                else
                {
                    tracks.Overall.RecordNumerator(unixMs, count);
                    group?.RecordNumerator(unixMs, count);
                    if (route.Slo.Definition.Sli.Bad is not null)
                    {
                        tracks.Attribution?.OnPoint(point, unixMs, 0, count);
                    }
                }

                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Attribute(SloAttribution? attribution, in SpanEvent span, long unixMs, double seconds, bool good)
    {
        if (attribution is null)
        {
            return;
        }

        if (good)
        {
            attribution.OnGoodSpan(span, unixMs);
        }
        else
        {
            attribution.OnBadSpan(span, unixMs, seconds);
        }
    }

    /// <summary>The events a point stands for: a counter's delta, or a histogram's count.</summary>
    private static long CountOf(in MetricPointEvent point) => point.Kind switch
    {
        MetricPointKind.Sum when double.IsFinite(point.Value) && point.Value > 0 => (long)Math.Round(point.Value),
        MetricPointKind.Histogram or MetricPointKind.ExponentialHistogram => point.Count,
        _ => 0,
    };

    private static void RecordHistogram(CompiledSlo slo, TrackSet tracks, SliTrack? group, long unixMs, in MetricPointEvent point)
    {
        var threshold = slo.Definition.Sli.Threshold!.Value;
        long good = 0, total = 0;
        if (point.Kind == MetricPointKind.Histogram)
        {
            var bounds = point.ExplicitBounds;
            var counts = point.BucketCounts;
            for (var i = 0; i < counts.Length; i++)
            {
                total += (long)counts[i];
                if (i < bounds.Length && bounds[i] <= threshold)
                {
                    good += (long)counts[i];
                }
            }

            if (total == 0)
            {
                return;
            }

            tracks.Overall.MergeExplicit(unixMs, bounds, counts, good, total);
            group?.MergeExplicit(unixMs, bounds, counts, good, total);
            tracks.Attribution?.OnPoint(point, unixMs, total, total - good, threshold);
        }
        else if (point.Kind == MetricPointKind.ExponentialHistogram)
        {
            var counts = point.PositiveBucketCounts;
            good = (long)point.ZeroCount;
            total = good;
            var width = Math.ScaleB(1, -point.ExponentialScale);
            for (var j = 0; j < counts.Length; j++)
            {
                total += (long)counts[j];
                var upper = Math.Pow(2, (point.PositiveOffset + j + 1) * width);
                if (upper <= threshold * (1 + 1e-12))
                {
                    good += (long)counts[j];
                }
            }

            if (total == 0)
            {
                return;
            }

            tracks.Overall.MergeExponential(unixMs, point.ExponentialScale, point.ZeroCount, point.PositiveOffset, counts, good, total);
            group?.MergeExponential(unixMs, point.ExponentialScale, point.ZeroCount, point.PositiveOffset, counts, good, total);
            tracks.Attribution?.OnPoint(point, unixMs, total, total - good, threshold);
        }
    }

    /// <summary>
    /// The group track of <paramref name="span"/> in <paramref name="tracks"/> and, in <paramref name="alsoGroup"/>,
    /// in <paramref name="also"/> (a set of the same shape): the group key is read from the span once for both.
    /// </summary>
    private static SliTrack? GroupOf(TrackSet tracks, TrackSet? also, in SpanEvent span, out SliTrack? alsoGroup)
    {
        alsoGroup = null;
        var groupBy = tracks.GroupBy;
        if (groupBy.Length == 0)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[256];
        Span<char> scratch = stackalloc char[256];
        var length = 0;
        for (var i = 0; i < groupBy.Length; i++)
        {
            span.TryGetAttributeText(groupBy[i], scratch, out var value);
            if (!Append(buffer, ref length, value, i > 0))
            {
                alsoGroup = also is null ? null : SlowGroup(also, span);
                return SlowGroup(tracks, span);
            }
        }

        var key = buffer[..length];
        if (also is not null)
        {
            alsoGroup = also.Find(key) ?? AddGroup(also, key, span);
        }

        return tracks.Find(key) ?? AddGroup(tracks, key, span);
    }

    private static SliTrack? GroupOf(TrackSet tracks, in MetricPointEvent point)
    {
        var groupBy = tracks.GroupBy;
        Span<char> buffer = stackalloc char[256];
        var length = 0;
        for (var i = 0; i < groupBy.Length; i++)
        {
            point.TryGetAttribute(groupBy[i], out var value);
            if (!Append(buffer, ref length, value ?? string.Empty, i > 0))
            {
                return SlowGroup(tracks, point);
            }
        }

        return tracks.Find(buffer[..length]) ?? AddGroup(tracks, buffer[..length], point);
    }

    private static bool Append(Span<char> buffer, ref int length, ReadOnlySpan<char> value, bool separator)
    {
        if (length + value.Length + 1 > buffer.Length)
        {
            return false;
        }

        if (separator)
        {
            buffer[length++] = KeySeparator;
        }

        value.CopyTo(buffer[length..]);
        length += value.Length;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SliTrack? AddGroup(TrackSet tracks, ReadOnlySpan<char> key, in SpanEvent span) =>
        tracks.RejectNewGroup(1) ? null : tracks.Add(key.ToString(), ValuesOf(tracks.GroupBy, span));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SliTrack? AddGroup(TrackSet tracks, ReadOnlySpan<char> key, in MetricPointEvent point) =>
        tracks.RejectNewGroup(1) ? null : tracks.Add(key.ToString(), ValuesOf(tracks.GroupBy, point));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SliTrack? SlowGroup(TrackSet tracks, in SpanEvent span)
    {
        var values = ValuesOf(tracks.GroupBy, span);
        var key = string.Join(KeySeparator, values);
        return tracks.Find(key) ?? (tracks.RejectNewGroup(1) ? null : tracks.Add(key, values));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SliTrack? SlowGroup(TrackSet tracks, in MetricPointEvent point)
    {
        var values = ValuesOf(tracks.GroupBy, point);
        var key = string.Join(KeySeparator, values);
        return tracks.Find(key) ?? (tracks.RejectNewGroup(1) ? null : tracks.Add(key, values));
    }

    private static string[] ValuesOf(string[] groupBy, in SpanEvent span)
    {
        var values = new string[groupBy.Length];
        for (var i = 0; i < groupBy.Length; i++)
        {
            values[i] = span.TryGetAttribute(groupBy[i], out var value) ? value : string.Empty;
        }

        return values;
    }

    private static string[] ValuesOf(string[] groupBy, in MetricPointEvent point)
    {
        var values = new string[groupBy.Length];
        for (var i = 0; i < groupBy.Length; i++)
        {
            values[i] = point.TryGetAttribute(groupBy[i], out var value) ? value : string.Empty;
        }

        return values;
    }
}
