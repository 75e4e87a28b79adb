using System.Runtime.CompilerServices;
using System.Text;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// The Space-Saving summaries (Metwally, Agrawal, El Abbadi 2005) of the bad events of every key of one slice, in
/// pooled arrays: per key at most <c>valuesPerKey</c> values, each with its bad count, the overcount it may carry
/// (<c>Error</c>: a value with more than bad/valuesPerKey of the key's bad events is always tracked, its true count
/// lies in [count − error, count], and counts are exact while no more than valuesPerKey distinct values were seen)
/// and its events (good and bad): the slice's sketch estimate when it started being tracked, then counted.
/// <para>
/// Layout: one array of 24-byte entries holds every key's values as a block (a key's block starts at one value and
/// doubles up to valuesPerKey; the array is remade, packed, when a block grows); bad and error counts are 32-bit
/// until one would pass 4,294,967,295, then the slice keeps them in a 64-bit side array; each value's text is one
/// UTF-8 record (key, slot, length, bytes) in one byte array per slice, compacted in place when a replaced value's
/// text has left room. Bad events change the summaries under the slice's lock; good events only add to the
/// <c>Total</c> of a tracked value, lock-free (an add racing with a block's move is lost, which traffic estimates
/// allow). A mutable struct that lives in a field of its slice and is never copied.
/// </para>
/// </summary>
internal struct SpaceSaving
{
    private Entry[]? _entries;
    private uint[]? _blocks;
    private long[]? _wide;
    private byte[]? _text;
    private int _textUsed;

    /// <summary>What the arrays take on the heap (the struct itself is counted in its slice).</summary>
    public readonly int Bytes =>
        (_entries is { } e ? Heap.Array(e.Length, Unsafe.SizeOf<Entry>()) : 0)
        + (_blocks is { } b ? Heap.Array(b.Length, sizeof(uint)) : 0)
        + (_wide is { } w ? Heap.Array(w.Length, sizeof(long)) : 0)
        + (_text is { } t ? Heap.Array(t.Length, 1) : 0);

    /// <summary>Whether bad and error counts have outgrown 32 bits in this slice.</summary>
    public readonly bool IsWide => _wide is not null;

    /// <summary>Counts good events for a tracked value (lock-free); untracked values are not counted.</summary>
    public void AddGood(int key, ulong hash, long weight)
    {
        if (Volatile.Read(ref _blocks) is not { } blocks)
        {
            return;
        }

        var block = Volatile.Read(ref blocks[key]);
        var entries = Volatile.Read(ref _entries);
        if (block == 0 || entries is null)
        {
            return;
        }

        // The block and the array may be of different moments: the hash check keeps an add from going elsewhere.
        var end = Math.Min(Start(block) + Used(block), entries.Length);
        for (var i = Start(block); i < end; i++)
        {
            if (Volatile.Read(ref entries[i].Hash) == hash)
            {
                Interlocked.Add(ref entries[i].Total, weight);
                return;
            }
        }
    }

    /// <summary>Counts bad events of a tracked value (under the slice's lock); false when it is not tracked (then <see cref="Insert"/>).</summary>
    public bool TryAddBad(int key, ulong hash, long count, bool withTotal, int valuesPerKey)
    {
        if (_blocks is null || _entries is null)
        {
            return false;
        }

        var block = _blocks[key];
        for (var slot = 0; slot < Used(block); slot++)
        {
            ref var entry = ref _entries[Start(block) + slot];
            if (entry.Hash == hash)
            {
                var bad = Bad(key, slot, valuesPerKey);
                SetCounts(key, slot, valuesPerKey, bad + count, Error(key, slot, valuesPerKey));
                if (withTotal)
                {
                    Interlocked.Add(ref entry.Total, count);
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Starts tracking a value (under the slice's lock): in a free place of its key's block (grown while it is smaller
    /// than <paramref name="valuesPerKey"/>), or in place of the smallest count, which it inherits as error;
    /// <paramref name="trafficBefore"/> is its traffic so far (an estimate).
    /// </summary>
    public void Insert(int keys, int key, ulong hash, ReadOnlySpan<byte> utf8, long count, bool withTotal, long trafficBefore, int valuesPerKey)
    {
        _blocks ??= new uint[keys];
        var block = _blocks[key];
        if (Used(block) == Capacity(block) && Capacity(block) < valuesPerKey)
        {
            Grow(key, Math.Min(valuesPerKey, Math.Max(1, Capacity(block) * 2)));
            block = _blocks[key];
        }

        var slot = Used(block);
        long inherited = 0;
        if (slot == Capacity(block))
        {
            slot = 0;
            for (var i = 1; i < Used(block); i++)
            {
                if (Bad(key, i, valuesPerKey) < Bad(key, slot, valuesPerKey))
                {
                    slot = i;
                }
            }

            inherited = Bad(key, slot, valuesPerKey);
        }

        ref var entry = ref _entries![Start(block) + slot];
        Volatile.Write(ref entry.Total, trafficBefore + (withTotal ? count : 0));
        SetCounts(key, slot, valuesPerKey, inherited + count, inherited);
        Volatile.Write(ref entry.Hash, hash);
        WriteText(key, slot, utf8, valuesPerKey);
        if (slot == Used(block))
        {
            Volatile.Write(ref _blocks[key], Block(Start(block), slot + 1, Capacity(block)));
        }
    }

    /// <summary>
    /// Copies a key's tracked values (under the slice's lock), their text taken from <paramref name="texts"/> when a
    /// slice already gave it; returns the smallest count when the key's summary is full (0 otherwise), the bound of
    /// untracked values.
    /// </summary>
    public readonly long Copy(int key, int valuesPerKey, List<TrackedValue> into, Dictionary<ulong, string> texts)
    {
        if (_blocks is null || _entries is null || Used(_blocks[key]) == 0)
        {
            return 0;
        }

        var block = _blocks[key];

        Span<int> textAt = stackalloc int[valuesPerKey];
        textAt.Fill(-1);
        for (var at = 0; at < _textUsed;)
        {
            var next = Record(at, out var k, out var s, out _, out _);
            if (k == key)
            {
                textAt[s] = at;
            }

            at = next;
        }

        var min = long.MaxValue;
        for (var slot = 0; slot < Used(block); slot++)
        {
            ref var entry = ref _entries[Start(block) + slot];
            if (!texts.TryGetValue(entry.Hash, out var value) && textAt[slot] >= 0)
            {
                Record(textAt[slot], out _, out _, out var start, out var length);
                value = Encoding.UTF8.GetString(_text.AsSpan(start, length));
                texts[entry.Hash] = value;
            }

            var bad = Bad(key, slot, valuesPerKey);
            min = Math.Min(min, bad);
            into.Add(new TrackedValue(entry.Hash, value ?? string.Empty, bad, Error(key, slot, valuesPerKey), Interlocked.Read(ref entry.Total)));
        }

        return Used(block) == valuesPerKey ? min : 0;
    }

    private static int Start(uint block) => (int)(block & 0xFFFF);

    private static int Used(uint block) => (int)((block >> 16) & 0xFF);

    private static int Capacity(uint block) => (int)(block >> 24);

    private static uint Block(int start, int used, int capacity) => (uint)start | ((uint)used << 16) | ((uint)capacity << 24);

    private readonly long Bad(int key, int slot, int valuesPerKey) =>
        _wide is { } wide ? wide[2 * ((key * valuesPerKey) + slot)] : _entries![Start(_blocks![key]) + slot].Bad;

    private readonly long Error(int key, int slot, int valuesPerKey) =>
        _wide is { } wide ? wide[(2 * ((key * valuesPerKey) + slot)) + 1] : _entries![Start(_blocks![key]) + slot].Error;

    private void SetCounts(int key, int slot, int valuesPerKey, long bad, long error)
    {
        if (_wide is null && bad > uint.MaxValue)
        {
            Widen(valuesPerKey);
        }

        if (_wide is { } wide)
        {
            wide[2 * ((key * valuesPerKey) + slot)] = bad;
            wide[(2 * ((key * valuesPerKey) + slot)) + 1] = error;
            return;
        }

        ref var entry = ref _entries![Start(_blocks![key]) + slot];
        entry.Bad = (uint)bad;
        entry.Error = (uint)error;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Widen(int valuesPerKey)
    {
        var wide = new long[2 * _blocks!.Length * valuesPerKey];
        for (var key = 0; key < _blocks.Length; key++)
        {
            for (var slot = 0; slot < Used(_blocks[key]); slot++)
            {
                ref var entry = ref _entries![Start(_blocks[key]) + slot];
                wide[2 * ((key * valuesPerKey) + slot)] = entry.Bad;
                wide[(2 * ((key * valuesPerKey) + slot)) + 1] = entry.Error;
            }
        }

        _wide = wide;
    }

    /// <summary>Remakes the entry array, packed, with room for <paramref name="capacity"/> values of one key.</summary>
    private void Grow(int key, int capacity)
    {
        var blocks = _blocks!;
        var size = 0;
        for (var k = 0; k < blocks.Length; k++)
        {
            size += k == key ? capacity : Capacity(blocks[k]);
        }

        var made = new Entry[size];
        Span<uint> moved = stackalloc uint[blocks.Length];
        var at = 0;
        for (var k = 0; k < blocks.Length; k++)
        {
            var block = blocks[k];
            var room = k == key ? capacity : Capacity(block);
            if (room == 0)
            {
                continue;
            }

            if (Used(block) > 0)
            {
                Array.Copy(_entries!, Start(block), made, at, Used(block));
            }

            moved[k] = Block(at, Used(block), room);
            at += room;
        }

        Volatile.Write(ref _entries, made);
        for (var k = 0; k < blocks.Length; k++)
        {
            Volatile.Write(ref blocks[k], moved[k]);
        }
    }

    /// <summary>Appends a value's text record; a later record of the same (key, slot) replaces an earlier one.</summary>
    private void WriteText(int key, int slot, ReadOnlySpan<byte> utf8, int valuesPerKey)
    {
        var need = 3 + (utf8.Length >= 0x80 ? 1 : 0) + utf8.Length;
        if (_text is null || _textUsed + need > _text.Length)
        {
            MakeRoom(need, valuesPerKey);
        }

        var record = _text.AsSpan(_textUsed);
        record[0] = (byte)key;
        record[1] = (byte)slot;
        if (utf8.Length < 0x80)
        {
            record[2] = (byte)utf8.Length;
            utf8.CopyTo(record[3..]);
        }
        else
        {
            record[2] = (byte)(0x80 | (utf8.Length & 0x7F));
            record[3] = (byte)(utf8.Length >> 7);
            utf8.CopyTo(record[4..]);
        }

        _textUsed += need;
    }

    /// <summary>
    /// Keeps only the last record of each (key, slot), in place when they and <paramref name="need"/> fit, else in a
    /// new array with a quarter of room to spare.
    /// </summary>
    private void MakeRoom(int need, int valuesPerKey)
    {
        var slots = _blocks!.Length * valuesPerKey;
        Span<int> last = slots <= 1024 ? stackalloc int[slots] : new int[slots];
        last.Fill(-1);
        for (var at = 0; at < _textUsed;)
        {
            var next = Record(at, out var key, out var slot, out _, out _);
            last[(key * valuesPerKey) + slot] = at;
            at = next;
        }

        var live = 0;
        foreach (var at in last)
        {
            if (at >= 0)
            {
                live += Record(at, out _, out _, out _, out _) - at;
            }
        }

        var into = _text is not null && live + need <= _text.Length ? _text : new byte[Heap.Align(live + need + ((live + need) / 4) + 8)];
        var written = 0;
        for (var at = 0; at < _textUsed;)
        {
            var next = Record(at, out var key, out var slot, out _, out _);
            if (last[(key * valuesPerKey) + slot] == at)
            {
                // Forward only: in place, a record moves down over text already read.
                _text.AsSpan(at, next - at).CopyTo(into.AsSpan(written));
                written += next - at;
            }

            at = next;
        }

        _text = into;
        _textUsed = written;
    }

    /// <summary>Reads the text record at <paramref name="at"/>; returns where the next one starts.</summary>
    private readonly int Record(int at, out int key, out int slot, out int start, out int length)
    {
        var text = _text!;
        key = text[at];
        slot = text[at + 1];
        length = text[at + 2] & 0x7F;
        start = at + 3;
        if ((text[at + 2] & 0x80) != 0)
        {
            length |= text[at + 3] << 7;
            start++;
        }

        return start + length;
    }

    private struct Entry
    {
        public ulong Hash;
        public long Total;
        public uint Bad;
        public uint Error;
    }
}

/// <summary>A value tracked in one slice's summary of a key, as read.</summary>
internal readonly record struct TrackedValue(ulong Hash, string Value, long Bad, long Error, long Total);
