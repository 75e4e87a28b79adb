namespace SloMonitor.Slos.Attribution;

/// <summary>
/// What one time slice keeps: event counts, a <see cref="CountMinSketch"/> of the traffic per (key, value), the
/// <see cref="SpaceSaving"/> summaries of the bad events per key (a key's made at its first bad event), the most
/// recent bad events and, for latency SLIs, the slowest (<see cref="Exemplar"/> records, shared with the other rings'
/// slices). A value that enters a summary takes its traffic so far from the sketch; from then on the summary counts
/// it exactly. Good events add to counters only; bad events take the slice's lock.
/// </summary>
internal sealed class AttributionSlice
{
    private static readonly byte[]?[] NoExemplars = [];

    private readonly SliceShape _shape;
    private readonly byte[]?[] _exemplars;
    private CountMinSketch _traffic;
    private SpaceSaving _summaries;
    private long _bad;
    private long _total;
    private int _recentNext;
    private int _sampleWeight;

    public AttributionSlice(long startMs, SliceShape shape)
    {
        StartMs = startMs;
        _shape = shape;
        _traffic = new CountMinSketch(shape.SketchWidth, shape.SketchDepth);
        _exemplars = shape.ExemplarSlots > 0 ? new byte[]?[shape.ExemplarSlots] : NoExemplars;
    }

    /// <summary>The slice object itself: start and counts, two references, the sketch's and the summaries' fields, the recent index.</summary>
    public static int FixedBytes => Heap.Object(24 + 16 + 24 + 40 + 4 + 4);

    public long StartMs { get; }

    public long Bad => Interlocked.Read(ref _bad);

    /// <summary>All events, good ones estimated from the sample.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>The widest sampling interval of the good events counted here (0: none sampled).</summary>
    public int SampleWeight => Volatile.Read(ref _sampleWeight);

    /// <summary>Remembers that good events were sampled here at one in <paramref name="weight"/> (a write only when it widens).</summary>
    public void NoteSampleWeight(int weight)
    {
        int seen;
        while (weight > (seen = Volatile.Read(ref _sampleWeight)) && Interlocked.CompareExchange(ref _sampleWeight, weight, seen) != seen)
        {
        }
    }

    /// <summary>Whether a counter has outgrown its narrow width (the sketch's 16 bits, a summary's 32).</summary>
    public bool IsWide
    {
        get
        {
            lock (this)
            {
                return _traffic.IsWide || _summaries.IsWide;
            }
        }
    }

    public void AddGood(ReadOnlySpan<ulong> hashes, long weight)
    {
        Interlocked.Add(ref _total, weight);
        for (var k = 0; k < hashes.Length; k++)
        {
            if (hashes[k] == 0)
            {
                continue;
            }

            _traffic.Add(hashes[k], weight);
            _summaries.AddGood(k, hashes[k], weight);
        }
    }

    /// <summary>Counts the event's total only (a good metric point, or good events sampled without key values).</summary>
    public void AddTotal(long weight) => Interlocked.Add(ref _total, weight);

    /// <summary>
    /// Counts bad events whose key values are <paramref name="hashes"/> (0: none) with UTF-8 text <paramref name="text"/>
    /// cut at <paramref name="ends"/>; <paramref name="withTotal"/>: they count as traffic too (spans), or the traffic
    /// comes apart (ratio points).
    /// </summary>
    public void AddBad(ReadOnlySpan<ulong> hashes, ReadOnlySpan<byte> text, ReadOnlySpan<int> ends, long count, byte[]? exemplar, bool withTotal)
    {
        if (withTotal)
        {
            Interlocked.Add(ref _total, count);
        }

        Interlocked.Add(ref _bad, count);
        var valuesPerKey = _shape.ValuesPerKey;
        lock (this)
        {
            for (var k = 0; k < hashes.Length; k++)
            {
                if (hashes[k] == 0)
                {
                    continue;
                }

                if (!_summaries.TryAddBad(k, hashes[k], count, withTotal, valuesPerKey))
                {
                    // Its traffic before this first bad event, from the sketch (never more than the slice's).
                    var before = Math.Min(_traffic.Estimate(hashes[k]), Interlocked.Read(ref _total));
                    var start = k == 0 ? 0 : ends[k - 1];
                    _summaries.Insert(_shape.Keys, k, hashes[k], text[start..ends[k]], count, withTotal, before, valuesPerKey);
                }

                if (withTotal)
                {
                    _traffic.Add(hashes[k], count);
                }
            }

            if (exemplar is not null && _shape.KeepSlowest)
            {
                AddSlowest(exemplar);
            }
        }

        if (exemplar is not null && _shape.Exemplars > 0)
        {
            var slot = (int)((uint)(Interlocked.Increment(ref _recentNext) - 1) % (uint)_shape.Exemplars);
            Volatile.Write(ref _exemplars[slot], exemplar);
        }
    }

    /// <summary>Exemplars kept: the recent ones, then the slowest (which may repeat them).</summary>
    public void CopyExemplars(List<Exemplar> recent, List<Exemplar> slowest)
    {
        for (var i = 0; i < _shape.Exemplars; i++)
        {
            if (Volatile.Read(ref _exemplars[i]) is { } record)
            {
                recent.Add(new Exemplar(record));
            }
        }

        lock (this)
        {
            for (var i = _shape.Exemplars; i < _exemplars.Length; i++)
            {
                if (_exemplars[i] is { } record)
                {
                    slowest.Add(new Exemplar(record));
                }
            }
        }
    }

    /// <summary>
    /// Copies the summary of a key (texts already decoded by another slice are shared through
    /// <paramref name="texts"/>); returns its smallest count when full (0 otherwise), the bound of untracked values.
    /// </summary>
    public long CopySummary(int key, List<TrackedValue> into, Dictionary<ulong, string> texts)
    {
        lock (this)
        {
            return _summaries.Copy(key, _shape.ValuesPerKey, into, texts);
        }
    }

    /// <summary>
    /// What the slice holds on the heap, in bytes: itself, its sketch, summaries and value texts, and the exemplar
    /// records it refers to that <paramref name="counted"/> does not hold yet (records are shared between rings).
    /// </summary>
    public int Bytes(HashSet<byte[]> counted)
    {
        var bytes = FixedBytes + (_exemplars.Length > 0 ? Heap.Array(_exemplars.Length, 8) : 0);
        lock (this)
        {
            bytes += _traffic.Bytes + _summaries.Bytes;
            foreach (var record in _exemplars)
            {
                if (record is not null && counted.Add(record))
                {
                    bytes += new Exemplar(record).Bytes;
                }
            }
        }

        return bytes;
    }

    private void AddSlowest(byte[] exemplar)
    {
        var duration = Exemplar.DurationOf(exemplar);
        if (double.IsNaN(duration))
        {
            return;
        }

        var place = -1;
        for (var i = _shape.Exemplars; i < _exemplars.Length; i++)
        {
            if (_exemplars[i] is null)
            {
                place = i;
                break;
            }

            if (place < 0 || Exemplar.DurationOf(_exemplars[i]!) < Exemplar.DurationOf(_exemplars[place]!))
            {
                place = i;
            }
        }

        if (place >= 0 && (_exemplars[place] is null || Exemplar.DurationOf(_exemplars[place]!) < duration))
        {
            _exemplars[place] = exemplar;
        }
    }
}
