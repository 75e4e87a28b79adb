using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// What is burning in one SLO: per attribute key, the values that carry its bad events, with their share of the bad
/// events and of all events, over three rings of slices (1-minute slices for the 5m window, 10-minute slices for
/// 1h, 1-hour slices for 6h); a reservoir of recent bad events per slice; the <c>service.version</c> values seen.
/// Good events are sampled (one in <see cref="AttributionOptions.GoodSampleEvery"/>, weighted by it) and, when
/// sampled, only add to counters; bad events are all counted and take a slice's lock. When an SLO's traffic would
/// bring more than <see cref="AttributionOptions.GoodSamplesPerMinute"/> samples a minute, the interval doubles as
/// often as needed (and falls back at the next minute), so the sampled work per SLO is bounded whatever the rate.
/// </summary>
internal sealed partial class SloAttribution
{
    [ThreadStatic]
    private static uint t_random;

    /// <summary>The UTF-8 text of one event's key values, reused by the thread's next bad event.</summary>
    [ThreadStatic]
    private static byte[]? t_text;

    /// <summary>The widest sampling interval, one in 2^this.</summary>
    private const int MaxIntervalLog2 = 24;

    private readonly AttributionRing[] _rings;
    private readonly uint _sampleBelow;
    private readonly int _sampleWeight;
    private readonly long _samplesPerSlice;
    private readonly int _maxShift;

    /// <summary>The interval in force is <see cref="_sampleWeight"/> · 2^this (one field, so a draw and its weight agree).</summary>
    private int _shift;

    /// <summary>The end of the minute <see cref="_shift"/> was chosen for; an event at or after it chooses again.</summary>
    private long _shiftUntilMs;
    private readonly int _maxValueLength;
    private readonly SliceShape _shape;
    private readonly int _versionKey;
    private readonly bool[] _outcome;

    public SloAttribution(string[] keys, AttributionOptions options, bool latency)
    {
        Keys = keys;
        _maxValueLength = options.MaxValueLength;
        _sampleWeight = options.GoodSampleEvery;
        _sampleBelow = options.GoodSampleEvery == 1 ? uint.MaxValue : uint.MaxValue / (uint)options.GoodSampleEvery;
        _samplesPerSlice = options.GoodSamplesPerMinute;
        _maxShift = Math.Max(0, MaxIntervalLog2 - BitOperations.Log2((uint)options.GoodSampleEvery));
        _shiftUntilMs = _samplesPerSlice == 0 ? long.MaxValue : long.MinValue;
        _versionKey = Array.IndexOf(keys, "service.version");
        _outcome = Array.ConvertAll(keys, k => options.EffectiveOutcomeKeys.Contains(k, StringComparer.Ordinal));
        Deploys = new DeployMarkers(options.MaxDeploys);
        _shape = new SliceShape(keys.Length, options.ValuesPerKey, options.ExemplarsPerSlice, latency, options.SketchWidth, options.SketchDepth);
        Func<long, AttributionSlice> create = start => new AttributionSlice(start, _shape);
        _rings =
        [
            new AttributionRing(TimeSpan.FromMinutes(1), 6, create),
            new AttributionRing(TimeSpan.FromMinutes(10), 7, create),
            new AttributionRing(TimeSpan.FromHours(1), 7, create),
        ];
    }

    /// <summary>The windows attribution answers, finest first; a window is read from the first ring that spans it.</summary>
    public static readonly TimeSpan[] Windows = [TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    public static TimeSpan LongestWindow => Windows[^1];

    public string[] Keys { get; }

    public DeployMarkers Deploys { get; }

    /// <summary>The keys an SLO counts: the configured ones, then its groupBy keys, then its label keys, at most MaxKeys.</summary>
    public static string[] KeysFor(SloDefinition definition, AttributionOptions options)
    {
        var keys = new List<string>();
        foreach (var key in options.EffectiveKeys.Concat(definition.GroupBy).Concat(definition.Labels.Keys))
        {
            if (keys.Count < options.MaxKeys && !keys.Contains(key, StringComparer.Ordinal))
            {
                keys.Add(key);
            }
        }

        return [.. keys];
    }

    /// <summary>The sampling interval good events get now (the least one until traffic outgrows the samples a minute).</summary>
    public int SampleEvery => _sampleWeight << _shift;

    /// <summary>A good span: almost always one comparison, one random draw and nothing else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnGoodSpan(in SpanEvent span, long unixMs)
    {
        if (unixMs >= _shiftUntilMs)
        {
            ChooseShift(unixMs);
        }

        var shift = _shift;
        if (Sample(shift))
        {
            RecordGood(span, unixMs, _sampleWeight << shift);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void OnBadSpan(in SpanEvent span, long unixMs, double seconds, bool keepExemplar = true)
    {
        Span<ulong> hashes = stackalloc ulong[Keys.Length];
        Span<int> ends = stackalloc int[Keys.Length];
        Span<char> scratch = stackalloc char[256];
        var text = TextBuffer();
        var used = 0;
        for (var k = 0; k < Keys.Length; k++)
        {
            if (span.TryGetAttributeText(Keys[k], scratch, out var value))
            {
                value = Cut(value);
                if (k == _versionKey)
                {
                    Deploys.Observe(value, unixMs);
                }

                used = Take(k, value, text, used, hashes);
            }

            ends[k] = used;
        }

        var exemplar = keepExemplar && _shape.Exemplars > 0
            ? Exemplar.Record(unixMs, seconds, StatusText(span.StatusCode), span.TraceId, span.SpanId, hashes, text.AsSpan(0, used), ends)
            : null;
        foreach (var ring in _rings)
        {
            ring.SliceFor(unixMs)?.AddBad(hashes, text.AsSpan(0, used), ends, 1, exemplar, withTotal: true);
        }
    }

    /// <summary>
    /// A metric point standing for <paramref name="traffic"/> events of which <paramref name="bad"/> are bad (a ratio's
    /// bad counter brings bad events only: its total counter brings the traffic). Counted, not sampled: points are few.
    /// The first of the point's OTLP exemplars with a trace id and a value above <paramref name="badAbove"/> (every
    /// exemplar of a bad counter; the slow ones of a latency histogram, whose threshold it is) is kept as the example
    /// of its bad events.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void OnPoint(in MetricPointEvent point, long unixMs, long traffic, long bad, double badAbove = double.NegativeInfinity)
    {
        if (traffic <= 0 && bad <= 0)
        {
            return;
        }

        Span<ulong> hashes = stackalloc ulong[Keys.Length];
        Span<int> ends = stackalloc int[Keys.Length];
        var text = bad > 0 ? TextBuffer() : Array.Empty<byte>();
        var used = 0;
        if (bad > 0)
        {
            Span<char> scratch = stackalloc char[256];
            for (var k = 0; k < Keys.Length; k++)
            {
                if (point.TryGetAttributeText(Keys[k], scratch, out var value))
                {
                    used = Take(k, Cut(value), text, used, hashes);
                }

                ends[k] = used;
            }
        }
        else
        {
            HashAll(point, hashes);
        }

        var exemplar = bad > 0 && _shape.Exemplars > 0 ? ExemplarOf(point, unixMs, badAbove, hashes, text.AsSpan(0, used), ends) : null;
        foreach (var ring in _rings)
        {
            if (ring.SliceFor(unixMs) is not { } slice)
            {
                continue;
            }

            if (bad > 0)
            {
                slice.AddBad(hashes, text.AsSpan(0, used), ends, bad, exemplar, withTotal: false);
            }

            if (traffic > 0)
            {
                slice.AddGood(hashes, traffic);
            }
        }
    }

    /// <summary>
    /// The attribution over a window ending now, read from the ring that spans it (whole slices: the reading covers
    /// the window and up to one slice before it).
    /// </summary>
    public AttributionReading Read(DateTimeOffset now, TimeSpan window, int valuesPerKey = 10)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var ring = RingFor(window);
        var slices = ring.Overlapping(nowMs, (long)window.TotalMilliseconds);
        long bad = 0, total = 0;
        var sampleEvery = _sampleWeight;
        foreach (var slice in slices)
        {
            bad += slice.Bad;
            total += slice.Total;
            sampleEvery = Math.Max(sampleEvery, slice.SampleWeight);
        }

        var from = slices.Count == 0 ? now - window : DateTimeOffset.FromUnixTimeMilliseconds(slices[^1].StartMs);
        var keys = new List<AttributionKey>();
        var top = new List<AttributionValue>();
        var entries = new List<TrackedValue>();
        var texts = new Dictionary<ulong, string>();
        for (var k = 0; k < Keys.Length; k++)
        {
            var merged = new Dictionary<ulong, AttributionValue>();
            long untrackedBound = 0;
            var presentMin = new Dictionary<ulong, long>();
            foreach (var slice in slices)
            {
                entries.Clear();
                var min = slice.CopySummary(k, entries, texts);
                untrackedBound += min;
                foreach (var entry in entries)
                {
                    merged[entry.Hash] = merged.TryGetValue(entry.Hash, out var v)
                        ? v with { Bad = v.Bad + entry.Bad, BadError = v.BadError + entry.Error, Total = v.Total + entry.Total }
                        : new AttributionValue(Keys[k], entry.Value, entry.Bad, entry.Error, entry.Total, 0, 0);
                    presentMin[entry.Hash] = presentMin.GetValueOrDefault(entry.Hash) + min;
                }
            }

            if (merged.Count == 0)
            {
                continue;
            }

            var values = new List<AttributionValue>(merged.Count);
            foreach (var (hash, v) in merged)
            {
                // A value absent from a full summary may have had up to that summary's smallest count there.
                var error = v.BadError + untrackedBound - presentMin[hash];
                var value = v with
                {
                    BadError = error,
                    Total = Math.Max(v.Total, v.Bad),
                    BadShare = bad == 0 ? 0 : Math.Min(1, (double)v.Bad / bad),
                    TotalShare = total == 0 ? 0 : Math.Min(1, (double)Math.Max(v.Total, v.Bad) / total),
                };
                values.Add(value);
            }

            values.Sort((a, b) => b.Bad != a.Bad ? b.Bad.CompareTo(a.Bad) : string.CompareOrdinal(a.Value, b.Value));
            if (values.Count > valuesPerKey)
            {
                values.RemoveRange(valuesPerKey, values.Count - valuesPerKey);
            }

            keys.Add(new AttributionKey(Keys[k], [.. values]));
            foreach (var value in values)
            {
                if (value.Excess > 0 && !_outcome[k])
                {
                    top.Add(value);
                }
            }
        }

        // A value with the same bad count as one of another key ranked before it, and nearly the same traffic, is the
        // same events under another name (span.name beside http.route; the sketch may tell their traffic apart by up to
        // twice): only the one of the key listed first stays.
        // Values of one key are disjoint, so equal counts there are different events.
        var ranked = top.OrderByDescending(v => v.Excess).ThenByDescending(v => v.Bad).ToList();
        var distinct = new List<AttributionValue>();
        foreach (var value in ranked)
        {
            var twin = distinct.FindIndex(d => d.Key != value.Key && d.Bad == value.Bad && Math.Max(d.Total, value.Total) <= 2 * Math.Min(d.Total, value.Total));
            if (twin < 0)
            {
                distinct.Add(value);
            }
            else if (Array.IndexOf(Keys, value.Key) < Array.IndexOf(Keys, distinct[twin].Key))
            {
                distinct[twin] = value;
            }
        }

        if (distinct.Count > 10)
        {
            distinct.RemoveRange(10, distinct.Count - 10);
        }

        return new AttributionReading(window, from, now, bad, total, sampleEvery, [.. keys], [.. distinct]);
    }

    /// <summary>The most recent kept bad events of the window, newest first, and for latency SLIs the slowest.</summary>
    public (Exemplar[] Recent, Exemplar[] Slowest) Exemplars(DateTimeOffset now, TimeSpan window, int limit)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var fromMs = nowMs - (long)window.TotalMilliseconds;
        var recent = new List<Exemplar>();
        var slowest = new List<Exemplar>();
        foreach (var slice in RingFor(window).Overlapping(nowMs, (long)window.TotalMilliseconds))
        {
            slice.CopyExemplars(recent, slowest);
        }

        return (
            [.. recent.Where(e => e.UnixMs > fromMs && e.UnixMs <= nowMs).Distinct().OrderByDescending(e => e.UnixMs).Take(limit)],
            [.. slowest.Where(e => e.UnixMs > fromMs && e.UnixMs <= nowMs).Distinct().OrderByDescending(e => e.DurationSeconds).Take(limit)]);
    }

    /// <summary>An upper bound of what attribution holds for the SLO now, in bytes (see <see cref="AttributionSlice.Bytes"/>).</summary>
    public int Bytes()
    {
        var bytes = Heap.Object(64) + Heap.Array(Keys.Length, 8) + Heap.Array(_outcome.Length, 1) + Heap.Object(32) + Deploys.Bytes;
        var counted = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        foreach (var ring in _rings)
        {
            bytes += ring.Bytes(counted);
        }

        return bytes;
    }

    /// <summary>Whether a slice of the last six hours has counters that outgrew their narrow widths (for tests of the widening).</summary>
    internal bool AnySliceWide(DateTimeOffset now)
    {
        foreach (var ring in _rings)
        {
            foreach (var slice in ring.Overlapping(now.ToUnixTimeMilliseconds(), ring.SpanMs + ring.SliceMs))
            {
                if (slice.IsWide)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private AttributionRing RingFor(TimeSpan window)
    {
        var ms = (long)window.TotalMilliseconds;
        foreach (var ring in _rings)
        {
            if (ms <= ring.SpanMs)
            {
                return ring;
            }
        }

        return _rings[^1];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordGood(in SpanEvent span, long unixMs, int weight)
    {
        Span<ulong> hashes = stackalloc ulong[Keys.Length];
        Span<char> scratch = stackalloc char[256];
        for (var k = 0; k < Keys.Length; k++)
        {
            if (span.TryGetAttributeText(Keys[k], scratch, out var text))
            {
                text = text.Length > _maxValueLength ? text[.._maxValueLength] : text;
                hashes[k] = ValueHash.Of(k, text);
                if (k == _versionKey)
                {
                    Deploys.Observe(text, unixMs);
                }
            }
        }

        foreach (var ring in _rings)
        {
            if (ring.SliceFor(unixMs) is { } slice)
            {
                slice.AddGood(hashes, weight);
                slice.NoteSampleWeight(weight);
            }
        }

        if (_samplesPerSlice > 0 && _rings[0].Current(unixMs) is { } minute)
        {
            Widen(minute.Total);
        }
    }

    private void HashAll(in MetricPointEvent point, Span<ulong> hashes)
    {
        Span<char> scratch = stackalloc char[32];
        for (var k = 0; k < Keys.Length; k++)
        {
            if (point.TryGetAttributeText(Keys[k], scratch, out var text))
            {
                hashes[k] = ValueHash.Of(k, text.Length > _maxValueLength ? text[.._maxValueLength] : text);
            }
        }
    }

    /// <summary>A thread's buffer for the UTF-8 text of every key's value (cut) of one event.</summary>
    private byte[] TextBuffer()
    {
        var size = Keys.Length * _maxValueLength * 3;
        if (t_text is not { } text || text.Length < size)
        {
            t_text = text = new byte[size];
        }

        return text;
    }

    private ReadOnlySpan<char> Cut(ReadOnlySpan<char> value) => value.Length > _maxValueLength ? value[.._maxValueLength] : value;

    /// <summary>Hashes a key's (cut) value and appends its UTF-8 text at <paramref name="used"/>; returns the new end.</summary>
    private static int Take(int key, ReadOnlySpan<char> value, byte[] text, int used, Span<ulong> hashes)
    {
        hashes[key] = ValueHash.Of(key, value);
        return used + Encoding.UTF8.GetBytes(value, text.AsSpan(used));
    }

    /// <summary>The example of a point's bad events from its OTLP exemplars; null when none qualifies.</summary>
    private static byte[]? ExemplarOf(in MetricPointEvent point, long unixMs, double badAbove, ReadOnlySpan<ulong> hashes, ReadOnlySpan<byte> text, ReadOnlySpan<int> ends)
    {
        for (var i = 0; i < point.ExemplarCount; i++)
        {
            var value = point.ExemplarValue(i);
            if (point.ExemplarTraceId(i).Length != 16 || !(value > badAbove || (double.IsNaN(value) && double.IsNegativeInfinity(badAbove))))
            {
                continue;
            }

            var at = point.ExemplarTimeUnixNano(i) is > 0 and var nanos ? nanos / 1_000_000 : unixMs;
            var latency = !double.IsNegativeInfinity(badAbove);
            return Exemplar.Record(at, latency ? value : double.NaN, latency ? "slow" : "bad", point.ExemplarTraceId(i), point.ExemplarSpanId(i), hashes, text, ends);
        }

        return null;
    }

    private static string StatusText(SpanStatusCode code) => code switch
    {
        SpanStatusCode.Ok => "ok",
        SpanStatusCode.Error => "error",
        _ => "unset",
    };
}
