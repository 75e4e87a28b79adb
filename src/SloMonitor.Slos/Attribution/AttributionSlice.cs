using System.Runtime.CompilerServices;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// What one time slice keeps: event counts, a <see cref="CountMinSketch"/> of the traffic per (key, value), one
/// <see cref="SpaceSaving"/> summary per key of the bad events (made at the key's first bad event), the most recent
/// bad events and, for latency SLIs, the slowest. A value that enters a summary takes its traffic so far from the
/// sketch; from then on the summary counts it exactly. Good events add to counters only; bad events take the
/// slice's lock.
/// </summary>
internal sealed class AttributionSlice
{
    private readonly SpaceSaving?[] _keys;
    private readonly CountMinSketch? _traffic;
    private readonly int _valuesPerKey;
    private readonly Exemplar?[] _recent;
    private readonly Exemplar?[] _slowest;
    private long _recentNext;
    private long _bad;
    private long _total;

    public AttributionSlice(long startMs, int keys, int valuesPerKey, int exemplars, bool keepSlowest, int sketchWidth = 0, int sketchDepth = 1)
    {
        StartMs = startMs;
        _traffic = sketchWidth > 0 ? new CountMinSketch(sketchWidth, sketchDepth) : null;
        _keys = new SpaceSaving?[keys];
        _valuesPerKey = valuesPerKey;
        _recent = new Exemplar?[exemplars];
        _slowest = keepSlowest ? new Exemplar?[exemplars] : [];
    }

    public long StartMs { get; }

    public long Bad => Interlocked.Read(ref _bad);

    /// <summary>All events, good ones estimated from the sample.</summary>
    public long Total => Interlocked.Read(ref _total);

    public SpaceSaving? Summary(int key) => Volatile.Read(ref _keys[key]);

    public void AddGood(ReadOnlySpan<ulong> hashes, long weight)
    {
        Interlocked.Add(ref _total, weight);
        for (var k = 0; k < hashes.Length; k++)
        {
            if (hashes[k] == 0)
            {
                continue;
            }

            _traffic?.Add(hashes[k], (int)Math.Min(weight, int.MaxValue));
            if (Volatile.Read(ref _keys[k]) is { } summary)
            {
                summary.AddGood(hashes[k], weight);
            }
        }
    }

    /// <summary>Counts the event's total only (a good metric point, or good events sampled without key values).</summary>
    public void AddTotal(long weight) => Interlocked.Add(ref _total, weight);

    /// <summary>Counts bad events; <paramref name="withTotal"/>: they count as traffic too (spans), or the traffic comes apart (ratio points).</summary>
    public void AddBad(ReadOnlySpan<ulong> hashes, string?[] values, long count, Exemplar? exemplar, bool withTotal)
    {
        if (withTotal)
        {
            Interlocked.Add(ref _total, count);
        }

        Interlocked.Add(ref _bad, count);
        lock (this)
        {
            for (var k = 0; k < hashes.Length; k++)
            {
                if (values[k] is not { } value)
                {
                    continue;
                }

                var summary = _keys[k];
                if (summary is null)
                {
                    summary = new SpaceSaving(_valuesPerKey);
                    Volatile.Write(ref _keys[k], summary);
                }

                if (!summary.TryAddBad(hashes[k], count, withTotal))
                {
                    // Its traffic before this first bad event, from the sketch (never more than the slice's).
                    var before = Math.Min(_traffic?.Estimate(hashes[k]) ?? 0, Interlocked.Read(ref _total));
                    summary.Insert(hashes[k], value, count, withTotal, before);
                }

                if (withTotal)
                {
                    _traffic?.Add(hashes[k], (int)Math.Min(count, int.MaxValue));
                }
            }

            if (exemplar is not null)
            {
                AddSlowest(exemplar);
            }
        }

        if (exemplar is not null && _recent.Length > 0)
        {
            var slot = (Interlocked.Increment(ref _recentNext) - 1) % _recent.Length;
            Volatile.Write(ref _recent[slot], exemplar);
        }
    }

    /// <summary>Exemplars kept: the recent ones, then the slowest (which may repeat them).</summary>
    public void CopyExemplars(List<Exemplar> recent, List<Exemplar> slowest)
    {
        for (var i = 0; i < _recent.Length; i++)
        {
            if (Volatile.Read(ref _recent[i]) is { } exemplar)
            {
                recent.Add(exemplar);
            }
        }

        lock (this)
        {
            foreach (var e in _slowest)
            {
                if (e is not null)
                {
                    slowest.Add(e);
                }
            }
        }
    }

    /// <summary>Copies the summary of a key; returns its smallest count when full (0 otherwise), the bound of untracked values.</summary>
    public long CopySummary(int key, List<SpaceSaving.Entry> into)
    {
        if (Volatile.Read(ref _keys[key]) is not { } summary)
        {
            return 0;
        }

        lock (this)
        {
            for (var i = 0; i < summary.Count; i++)
            {
                var entry = summary[i];
                entry.Total = Interlocked.Read(ref Unsafe.AsRef(in summary[i]).Total);
                into.Add(entry);
            }

            return summary.MinCount;
        }
    }

    /// <summary>The string of a tracked value with this hash, to share it instead of keeping a copy per slice.</summary>
    public string? FindValue(int key, ulong hash)
    {
        if (Volatile.Read(ref _keys[key]) is not { } summary)
        {
            return null;
        }

        lock (this)
        {
            return summary.Find(hash);
        }
    }

    /// <summary>
    /// An upper bound of what the slice holds, in bytes: its arrays, summaries, the strings they keep and its
    /// exemplars (strings and exemplars shared with other slices are counted in each).
    /// </summary>
    public int Bytes(int valuesPerKey)
    {
        var bytes = 80 + 24 + (8 * _keys.Length) + 24 + (8 * _recent.Length) + 24 + (8 * _slowest.Length) + (_traffic?.Bytes ?? 0);
        lock (this)
        {
            foreach (var summary in _keys)
            {
                if (summary is null)
                {
                    continue;
                }

                bytes += summary.Bytes;
                for (var i = 0; i < summary.Count; i++)
                {
                    bytes += 22 + (2 * summary[i].Value.Length);
                }
            }

            foreach (var exemplar in _slowest)
            {
                bytes += exemplar is null ? 0 : Exemplar.Bytes + 24 + (8 * exemplar.Values.Length);
            }
        }

        for (var i = 0; i < _recent.Length; i++)
        {
            bytes += Volatile.Read(ref _recent[i]) is { } exemplar ? Exemplar.Bytes + 24 + (8 * exemplar.Values.Length) : 0;
        }

        return bytes;
    }

    private void AddSlowest(Exemplar exemplar)
    {
        if (_slowest.Length == 0 || double.IsNaN(exemplar.DurationSeconds))
        {
            return;
        }

        var place = -1;
        for (var i = 0; i < _slowest.Length; i++)
        {
            if (_slowest[i] is null)
            {
                place = i;
                break;
            }

            if (place < 0 || _slowest[i]!.DurationSeconds < _slowest[place]!.DurationSeconds)
            {
                place = i;
            }
        }

        if (_slowest[place] is null || _slowest[place]!.DurationSeconds < exemplar.DurationSeconds)
        {
            _slowest[place] = exemplar;
        }
    }
}
