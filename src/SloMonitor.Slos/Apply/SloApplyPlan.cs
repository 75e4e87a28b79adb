using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Parsing;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Apply;

/// <summary>
/// The outcome of comparing a set of definitions with the SLOs stored now: an answer per SLO, and what to write.
/// Nothing is written when any SLO is invalid or refused (<see cref="Rejected"/>): the set applies all or nothing.
/// </summary>
public sealed class SloApplyPlan
{
    private SloApplyPlan(IReadOnlyList<SloApplyResult> results, IReadOnlyList<SloDefinition> upserts, IReadOnlyList<string> deletes)
    {
        Results = results;
        Upserts = upserts;
        Deletes = deletes;
    }

    public IReadOnlyList<SloApplyResult> Results { get; }

    /// <summary>The definitions created or changed, as the API will run them.</summary>
    public IReadOnlyList<SloDefinition> Upserts { get; }

    public IReadOnlyList<string> Deletes { get; }

    public bool Rejected => Results.Any(r => r.Action is SloApplyAction.Invalid or SloApplyAction.Refused);

    public int Count(string action) => Results.Count(r => r.Action == action);

    /// <summary>
    /// Compares <paramref name="items"/> (every SLO of the set, valid or not) with <paramref name="stored"/> (the
    /// stored rows they name, and with pruning every row of the prune scope). <paramref name="fileOf"/> names the
    /// file that defines a name on the server, if any.
    /// </summary>
    public static SloApplyPlan Create(IReadOnlyList<SloParsedItem> items, IReadOnlyList<SloDefinitionRow> stored, Func<string, string?> fileOf, SloApplyOptions options)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(fileOf);
        ArgumentNullException.ThrowIfNull(options);
        var rows = stored.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var results = new List<SloApplyResult>();
        var upserts = new List<SloDefinition>();
        foreach (var item in items)
        {
            var previousLocation = item.Name is null ? null : named.GetValueOrDefault(item.Name);
            if (item.Name is not null)
            {
                named.TryAdd(item.Name, item.Location);
            }

            if (item.Definition is not { } definition)
            {
                results.Add(new SloApplyResult(item.Name, SloApplyAction.Invalid, item.Location, [], false, item.Errors, null));
                continue;
            }

            if (previousLocation is not null)
            {
                var error = new ConfigError(item.Location, "name", $"'{definition.Name}' is defined more than once in the set (also at {previousLocation})");
                results.Add(new SloApplyResult(definition.Name, SloApplyAction.Invalid, item.Location, [], false, [error], null));
                continue;
            }

            if (fileOf(definition.Name) is { } file)
            {
                results.Add(Refused(item, $"defined in the file {Path.GetFileName(file)} on the server; change it there"));
                continue;
            }

            definition = definition with { Origin = SloDefinition.ApiOrigin };
            if (!rows.TryGetValue(definition.Name, out var row))
            {
                results.Add(new SloApplyResult(definition.Name, SloApplyAction.Created, item.Location, WithOwner(SloDefinitionDiff.Compare(null, definition), null, options.Owner), false, [], null));
                upserts.Add(definition);
                continue;
            }

            if (row.Owner is not null && row.Owner != options.Owner)
            {
                results.Add(Refused(item, $"managed by owner '{row.Owner}'; apply it with that owner, or delete it first"));
                continue;
            }

            var before = Stored(row);
            var changes = WithOwner(SloDefinitionDiff.Compare(before, definition), row.Owner, options.Owner);
            if (changes.Count == 0)
            {
                results.Add(new SloApplyResult(definition.Name, SloApplyAction.Unchanged, item.Location, [], false, [], null));
                continue;
            }

            var restarts = before is not null && SloDefinitionDiff.RestartsHistory(before, definition);
            results.Add(new SloApplyResult(definition.Name, SloApplyAction.Changed, item.Location, changes, restarts, [], null));
            upserts.Add(definition);
        }

        var deletes = new List<string>();
        if (options.Prune)
        {
            foreach (var row in stored)
            {
                if (!named.ContainsKey(row.Name))
                {
                    results.Add(new SloApplyResult(row.Name, SloApplyAction.Deleted, null, WithOwner(SloDefinitionDiff.Compare(Stored(row), null), row.Owner, null), false, [], null));
                    deletes.Add(row.Name);
                }
            }
        }

        return new SloApplyPlan(results, upserts, deletes);
    }

    private static SloApplyResult Refused(SloParsedItem item, string reason) =>
        new(item.Name, SloApplyAction.Refused, item.Location, [], false, [], reason);

    /// <summary>The stored definition, or null when it no longer validates (then every field counts as changed).</summary>
    private static SloDefinition? Stored(SloDefinitionRow row) =>
        SloParser.ParseJson(row.Definition, row.Name) is { IsValid: true } parsed ? parsed.Definitions[0] : null;

    private static List<SloFieldChange> WithOwner(IReadOnlyList<SloFieldChange> changes, string? from, string? to)
    {
        var list = new List<SloFieldChange>(changes);
        if (from != to)
        {
            list.Add(new SloFieldChange("owner", from, to));
        }

        return list;
    }
}
