using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// The definitions from every source — each file, and the API — merged into the engine. A name may be defined
/// once: the API's definition wins, then the file first in path order; a later file's duplicate is refused and
/// logged, and the API cannot touch a file's SLO. A change reaches the engine as changes of the SLOs it names
/// only, so its cost does not grow with the number of SLOs.
/// </summary>
public sealed class SloCatalog(SloEngine engine, ILogger<SloCatalog> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, SloDefinition>> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SloDefinition> _api = new(StringComparer.Ordinal);

    // For each name defined in files, the files defining it, in path order: the first one's definition runs.
    private readonly Dictionary<string, SortedSet<string>> _filesOf = new(StringComparer.Ordinal);

    public SloEngine Engine => engine;

    /// <summary>True once the API-managed definitions were loaded from PostgreSQL.</summary>
    public bool ApiLoaded { get; private set; }

    /// <summary>The file defining <paramref name="name"/>, or null when the name is not from a file.</summary>
    public string? FileOf(string name)
    {
        lock (_lock)
        {
            return _filesOf.TryGetValue(name, out var files) ? files.Min : null;
        }
    }

    /// <summary>Replaces the SLOs of one file: its new and changed ones are set, the ones it no longer has removed.</summary>
    public void SetFile(string path, IReadOnlyList<SloDefinition> definitions)
    {
        lock (_lock)
        {
            var old = _files.GetValueOrDefault(path) ?? new Dictionary<string, SloDefinition>(StringComparer.Ordinal);
            var current = new Dictionary<string, SloDefinition>(definitions.Count, StringComparer.Ordinal);
            foreach (var definition in definitions)
            {
                current[definition.Name] = definition;
            }

            _files[path] = current;
            foreach (var name in old.Keys)
            {
                if (!current.ContainsKey(name))
                {
                    _filesOf[name].Remove(path);
                    if (_filesOf[name].Count == 0)
                    {
                        _filesOf.Remove(name);
                    }

                    Resolve(name);
                }
            }

            foreach (var name in current.Keys)
            {
                if (!_filesOf.TryGetValue(name, out var files))
                {
                    _filesOf[name] = files = new SortedSet<string>(StringComparer.Ordinal);
                }

                files.Add(path);
                Resolve(name);
            }
        }
    }

    public void RemoveFile(string path)
    {
        lock (_lock)
        {
            if (_files.Remove(path, out var old))
            {
                foreach (var name in old.Keys)
                {
                    _filesOf[name].Remove(path);
                    if (_filesOf[name].Count == 0)
                    {
                        _filesOf.Remove(name);
                    }

                    Resolve(name);
                }
            }
        }
    }

    /// <summary>Replaces every API-managed definition (at start-up, from PostgreSQL).</summary>
    public void SetApi(IReadOnlyList<SloDefinition> definitions)
    {
        lock (_lock)
        {
            var names = new List<string>(_api.Keys);
            _api.Clear();
            foreach (var definition in definitions)
            {
                _api[definition.Name] = definition;
                names.Add(definition.Name);
            }

            foreach (var name in names)
            {
                Resolve(name);
            }

            // Checkpoint rows kept for SLOs that had not loaded yet: the ones still unclaimed belong to no SLO now.
            ApiLoaded = true;
            engine.DropLaterRestores();
        }
    }

    /// <summary>Creates or replaces one API-managed SLO; false when its history restarts (new, or a changed SLI).</summary>
    public bool PutApi(SloDefinition definition)
    {
        lock (_lock)
        {
            _api[definition.Name] = definition;
            return Resolve(definition.Name);
        }
    }

    public bool RemoveApi(string name)
    {
        lock (_lock)
        {
            var removed = _api.Remove(name);
            Resolve(name);
            return removed;
        }
    }

    /// <summary>Puts and removes API SLOs together under one lock (a bulk apply), each name resolved on its own.</summary>
    public void ApplyApi(IReadOnlyList<SloDefinition> upserts, IReadOnlyList<string> deletes)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        lock (_lock)
        {
            foreach (var definition in upserts)
            {
                _api[definition.Name] = definition;
                Resolve(definition.Name);
            }

            foreach (var name in deletes)
            {
                _api.Remove(name);
                Resolve(name);
            }
        }
    }

    /// <summary>Puts the winning definition of <paramref name="name"/> into the engine, or removes it when none is left.</summary>
    private bool Resolve(string name)
    {
        SloDefinition? winner = _api.GetValueOrDefault(name);
        if (_filesOf.TryGetValue(name, out var files))
        {
            foreach (var file in files)
            {
                if (winner is null)
                {
                    winner = _files[file][name];
                }
                else
                {
                    logger.LogError("SLO {Name} in {File} is already defined elsewhere (another file or the API); this one is ignored", name, file);
                }
            }
        }

        if (winner is null)
        {
            engine.Remove(name);
            return false;
        }

        // A reloaded file parses into new objects: an SLO whose definition reads the same is left as it runs.
        var running = engine.Find(name);
        return ReferenceEquals(running, winner) || (running is not null && SameDefinition(running, winner)) || engine.Set(winner);
    }

    private static bool SameDefinition(SloDefinition running, SloDefinition candidate) =>
        running.Origin == candidate.Origin
        && JsonNode.DeepEquals(SloDefinitionJson.Write(running), SloDefinitionJson.Write(candidate));
}
