using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// Collects the SLOs of one file or body one by one as they are read: the errors added to the shared list since the
/// previous item belong to the next one. Names must be unique within the result; a repeated one is an error of the
/// later SLO.
/// </summary>
internal sealed class ParsedItems(List<ConfigError> errors)
{
    private readonly List<SloParsedItem> _items = [];
    private int _mark;

    public void Add(ConfigNode node, SloDefinition? definition, string? name = null)
    {
        name ??= (node as MapNode)?.Get("name") is ScalarNode { Value: { Length: > 0 } given } ? given : null;
        _items.Add(new SloParsedItem(definition?.Name ?? name, node.Location.Length > 0 ? node.Location : node.Path, definition, Take()));
    }

    /// <summary>An item without a name for errors that belong to no SLO (YAML syntax, a list that is not a list).</summary>
    public void AddLoose()
    {
        if (errors.Count > _mark)
        {
            var taken = Take();
            _items.Add(new SloParsedItem(null, taken[0].Location.Length > 0 ? taken[0].Location : taken[0].Field, null, taken));
        }
    }

    public SloParseResult Result(string fileName)
    {
        AddLoose();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var definitions = new List<SloDefinition>();
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i].Definition is not { } definition)
            {
                continue;
            }

            if (seen.Add(definition.Name))
            {
                definitions.Add(definition);
                continue;
            }

            var error = new ConfigError(fileName.Length > 0 ? fileName : _items[i].Location, "name", $"'{definition.Name}' is defined more than once");
            errors.Add(error);
            _items[i] = _items[i] with { Definition = null, Errors = [error] };
        }

        _mark = errors.Count;
        return new SloParseResult(definitions, errors) { Items = [.. _items] };
    }

    private List<ConfigError> Take()
    {
        var taken = errors.GetRange(_mark, errors.Count - _mark);
        _mark = errors.Count;
        return taken;
    }
}
