using System.Globalization;
using System.Text;
using Google.Protobuf.Collections;
using SloMonitor.Ingest.Otlp.Common;

namespace SloMonitor.Ingest;

/// <summary>
/// Builds the identity of a cumulative series: resource attributes, scope name and version, metric name and point
/// attributes, each attribute list in key order, every part length-prefixed so no two identities collide.
/// </summary>
internal sealed class SeriesKeyBuilder
{
    private readonly StringBuilder _builder = new(256);
    private int[] _order = new int[16];

    public string Prefix(RepeatedField<KeyValue>? resourceAttributes, InstrumentationScope? scope)
    {
        _builder.Clear();
        AppendAttributes(resourceAttributes);
        Append(scope?.Name ?? string.Empty);
        Append(scope?.Version ?? string.Empty);
        return _builder.ToString();
    }

    public string Key(string prefix, string metricName, RepeatedField<KeyValue> attributes)
    {
        _builder.Clear();
        _builder.Append(prefix);
        Append(metricName);
        AppendAttributes(attributes);
        return _builder.ToString();
    }

    private void AppendAttributes(RepeatedField<KeyValue>? attributes)
    {
        var count = attributes?.Count ?? 0;
        _builder.Append(count.ToString(CultureInfo.InvariantCulture)).Append('{');
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
            _builder.Append((char)('a' + (int)(kv.Value?.ValueCase ?? AnyValue.ValueOneofCase.None)));
            Append(AttributeText.Format(kv.Value));
        }
    }

    private void Append(string text) =>
        _builder.Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(text);
}
