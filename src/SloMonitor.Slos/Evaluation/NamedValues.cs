using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// A status's figures by name (its windows, its budgets): the names belong to the SLO and are shared by all its
/// evaluations, so one evaluation holds only its values, in the names' order. A round keeps one status per SLO and
/// group alive until it publishes them, and every byte of those is copied by each collection during the round, so the
/// status holds no dictionary of its own. Lookups compare the few names in turn.
/// </summary>
internal sealed class NamedValues<T> : IReadOnlyDictionary<string, T>
{
    private readonly string[] _names;
    private readonly T[] _values;
    private readonly int _offset;

    /// <summary>The values of <paramref name="names"/>, one each, in their order (both arrays are kept, not copied).</summary>
    public NamedValues(string[] names, T[] values)
        : this(names, values, 0)
    {
        if (names.Length != values.Length)
        {
            throw new ArgumentException($"{values.Length} values for {names.Length} names", nameof(values));
        }
    }

    /// <summary>
    /// The values of <paramref name="names"/> in <paramref name="values"/> from <paramref name="offset"/> on, one each
    /// (a slice of an array shared with other figures, kept, not copied).
    /// </summary>
    public NamedValues(string[] names, T[] values, int offset)
    {
        if (offset < 0 || values.Length - offset < names.Length)
        {
            throw new ArgumentException($"{values.Length - offset} values from {offset} on for {names.Length} names", nameof(values));
        }

        _names = names;
        _values = values;
        _offset = offset;
    }

    public int Count => _names.Length;

    public IEnumerable<string> Keys => _names;

    public IEnumerable<T> Values => new ArraySegment<T>(_values, _offset, _names.Length);

    public T this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no figures named '{key}'");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            value = default;
            return false;
        }

        value = _values[_offset + i];
        return true;
    }

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++)
        {
            yield return new KeyValuePair<string, T>(_names[i], _values[_offset + i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (string.Equals(_names[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
