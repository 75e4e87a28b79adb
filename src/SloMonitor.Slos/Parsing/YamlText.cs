using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SloMonitor.Slos.Parsing;

/// <summary>A mapping in the order written; values are strings, <see cref="YamlNumber"/>s, booleans, maps and lists.</summary>
internal sealed class YamlMap : List<KeyValuePair<string, object>>
{
    public object this[string key] => Find(e => e.Key == key).Value;

    public void Add(string key, object value) => Add(new KeyValuePair<string, object>(key, value));
}

/// <summary>A number, written as it is (plain); strings that only look like numbers are quoted.</summary>
internal sealed record YamlNumber(string Text);

/// <summary>
/// Writes YAML documents with YamlDotNet's emitter: block style, lists indented under their key, no line folding,
/// and strings plain only where no YAML reader could take them for anything but that string.
/// </summary>
internal static class YamlText
{
    private static readonly string[] Reserved = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"];

    public static void Write(TextWriter writer, IEnumerable<YamlMap> documents)
    {
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, false, true));
        emitter.Emit(new StreamStart());
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: false));
            Node(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }

        emitter.Emit(new StreamEnd());
    }

    private static void Node(Emitter emitter, object value)
    {
        switch (value)
        {
            case YamlMap map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                foreach (var (key, item) in map)
                {
                    Scalar(emitter, key, Style(key));
                    Node(emitter, item);
                }

                emitter.Emit(new MappingEnd());
                break;
            case List<object> list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in list)
                {
                    Node(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case YamlNumber number:
                Scalar(emitter, number.Text, ScalarStyle.Plain);
                break;
            case bool flag:
                Scalar(emitter, flag ? "true" : "false", ScalarStyle.Plain);
                break;
            case string text:
                Scalar(emitter, text, Style(text));
                break;
            default:
                throw new ArgumentException($"cannot write {value.GetType().Name} as YAML", nameof(value));
        }
    }

    private static void Scalar(Emitter emitter, string text, ScalarStyle style) =>
        emitter.Emit(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));

    /// <summary>Plain for words such as <c>checkout-latency</c> or <c>Checkout API requests succeed</c>; quoted otherwise.</summary>
    private static ScalarStyle Style(string text)
    {
        if (text.Any(char.IsControl))
        {
            return ScalarStyle.DoubleQuoted;
        }

        var plain = text.Length > 0 && (char.IsAsciiLetter(text[0]) || DurationLike(text)) && !char.IsWhiteSpace(text[^1])
            && text.IndexOfAny([':', '#', '\'', '"', '{', '}', '[', ']', '&', '*', '!', '|', '>', '@', '`', '\\']) < 0
            && !Reserved.Contains(text, StringComparer.OrdinalIgnoreCase)
            && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return plain ? ScalarStyle.Plain : ScalarStyle.SingleQuoted;
    }

    /// <summary>Digits then letters only (<c>28d</c>, <c>1M</c>): no YAML reader takes these for a number or a date.</summary>
    private static bool DurationLike(string text)
    {
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        return digits > 0 && digits < text.Length && text.AsSpan(digits).ContainsAnyExcept(AsciiLetters) is false;
    }

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
}
