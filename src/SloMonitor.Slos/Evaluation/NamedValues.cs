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

    /// <summary>The values of <paramref name="names"/>, one each, in their order (both arrays are kept, not copied).</summary>
    public NamedValues(string[] names, T[] values)
    {
        if (names.Length != values.Length)
        {
            throw new ArgumentException($"{values.Length} values for {names.Length} names", nameof(values));
        }

        _names = names;
        _values = values;
    }

    public int Count => _names.Length;

    public IEnumerable<string> Keys => _names;

    public IEnumerable<T> Values => _values;

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

        value = _values[i];
        return true;
    }

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++)
        {
            yield return new KeyValuePair<string, T>(_names[i], _values[i]);
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
