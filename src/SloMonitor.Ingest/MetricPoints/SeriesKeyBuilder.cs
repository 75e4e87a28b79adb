using System.Globalization;
using System.Text;
using Google.Protobuf.Collections;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Common;

namespace SloMonitor.Ingest;

/// <summary>
/// Builds the identity of a cumulative series: resource attributes, scope name and version, metric name and point
/// attributes, each attribute list in key order, every part length-prefixed so no two identities collide.
/// </summary>
internal sealed class SeriesKeyBuilder
{
    private readonly StringBuilder _builder = new(256);
    private int[] _order = new int[16];
    private char[] _key = new char[256];

    /// <summary>The part of the keys shared by a resource's points; a tenant other than the default one leads it.</summary>
    public string Prefix(string tenant, RepeatedField<KeyValue>? resourceAttributes, InstrumentationScope? scope)
    {
        _builder.Clear();
        if (tenant != TenantSinks.DefaultTenant)
        {
            Append(tenant);
        }

        AppendAttributes(resourceAttributes);
        Append(scope?.Name ?? string.Empty);
        Append(scope?.Version ?? string.Empty);
        return _builder.ToString();
    }

    /// <summary>The key, valid until the next call: looked up without allocating a string per point.</summary>
    public ReadOnlySpan<char> Key(string prefix, string metricName, RepeatedField<KeyValue> attributes)
    {
        _builder.Clear();
        _builder.Append(prefix);
        Append(metricName);
        AppendAttributes(attributes);
        if (_key.Length < _builder.Length)
        {
            _key = new char[_builder.Length * 2];
        }

        _builder.CopyTo(0, _key, _builder.Length);
        return _key.AsSpan(0, _builder.Length);
    }

    private void AppendAttributes(RepeatedField<KeyValue>? attributes)
    {
        var count = attributes?.Count ?? 0;
        _builder.Append(CultureInfo.InvariantCulture, $"{count}{{");
        if (attributes is null || count == 0)
        {
            return;
        }

        if (_order.Length < count)
        {
            _order = new int[count * 2];
        }

        // Insertion sort: attribute lists are short and usually already sorted.
        for (var i = 0; i < count; i++)
        {
            var j = i;
            while (j > 0 && string.CompareOrdinal(attributes[_order[j - 1]].Key, attributes[i].Key) > 0)
            {
                _order[j] = _order[j - 1];
                j--;
            }

            _order[j] = i;
        }

        for (var i = 0; i < count; i++)
        {
            var kv = attributes[_order[i]];
            Append(kv.Key);
            AppendValue(kv.Value);
        }
    }

    // Formats scalars straight into the builder (no string per attribute); the type tag keeps 5 and "5" apart.
    private void AppendValue(AnyValue? value)
    {
        var kind = value?.ValueCase ?? AnyValue.ValueOneofCase.None;
        _builder.Append((char)('a' + (int)kind));
        switch (kind)
        {
            case AnyValue.ValueOneofCase.StringValue:
                Append(value!.StringValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                _builder.Append(CultureInfo.InvariantCulture, $"{value!.IntValue};");
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                _builder.Append(value!.BoolValue ? 't' : 'f');
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                _builder.Append(CultureInfo.InvariantCulture, $"{value!.DoubleValue:R};");
                break;
            default:
                Append(AttributeText.Format(value));
                break;
        }
    }

    private void Append(string text) => _builder.Append(CultureInfo.InvariantCulture, $"{text.Length}:").Append(text);
}
