using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// The definitions from every source — each file, and the API — merged into the engine. A name may be defined
/// once: a file cannot redefine an API SLO or another file's (the later one is refused and logged), and the API
/// cannot touch a file's SLO.
/// </summary>
public sealed class SloCatalog(SloEngine engine, ILogger<SloCatalog> logger)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, IReadOnlyList<SloDefinition>> _files = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SloDefinition> _api = new(StringComparer.Ordinal);

    public SloEngine Engine => engine;

    /// <summary>The file defining <paramref name="name"/>, or null when the name is not from a file.</summary>
    public string? FileOf(string name)
    {
        lock (_lock)
        {
            foreach (var (file, definitions) in _files)
            {
                foreach (var definition in definitions)
                {
                    if (definition.Name == name)
                    {
                        return file;
                    }
                }
            }

            return null;
        }
    }

    public void SetFile(string path, IReadOnlyList<SloDefinition> definitions)
    {
        lock (_lock)
        {
            _files[path] = definitions;
            Publish();
        }
    }

    public void RemoveFile(string path)
    {
        lock (_lock)
        {
            if (_files.Remove(path))
            {
                Publish();
            }
        }
    }

    public void SetApi(IReadOnlyList<SloDefinition> definitions)
    {
        lock (_lock)
        {
            _api.Clear();
            foreach (var definition in definitions)
            {
                _api[definition.Name] = definition;
            }

            Publish();
        }
    }

    public void PutApi(SloDefinition definition)
    {
        lock (_lock)
        {
            _api[definition.Name] = definition;
            Publish();
        }
    }

    public bool RemoveApi(string name)
    {
        lock (_lock)
        {
            var removed = _api.Remove(name);
            Publish();
            return removed;
        }
    }

    private void Publish()
    {
        var merged = new List<SloDefinition>(_api.Values);
        var names = new HashSet<string>(_api.Keys, StringComparer.Ordinal);
        foreach (var (file, definitions) in _files)
        {
            foreach (var definition in definitions)
            {
                if (names.Add(definition.Name))
                {
                    merged.Add(definition);
                }
                else
                {
                    logger.LogError("SLO {Name} in {File} is already defined elsewhere (another file or the API); this one is ignored", definition.Name, file);
                }
            }
        }

        engine.Apply(merged);
    }
}
