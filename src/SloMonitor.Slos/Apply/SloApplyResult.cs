using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Slos.Apply;

/// <summary>What a bulk apply does (or, in a dry run, would do) to one SLO.</summary>
public static class SloApplyAction
{
    public const string Created = "created";
    public const string Changed = "changed";
    public const string Unchanged = "unchanged";
    public const string Deleted = "deleted";

    /// <summary>The definition does not validate; <see cref="SloApplyResult.Errors"/> say where and why.</summary>
    public const string Invalid = "invalid";

    /// <summary>Valid, but not the apply's to change (defined in a file, or managed by another owner); see the reason.</summary>
    public const string Refused = "refused";
}

/// <summary>
/// One SLO of a bulk apply's answer: its name (null for errors outside any SLO), where it was written, the fields
/// that change (every field, from or to null, when created or deleted), whether its SLI series start afresh, and
/// the errors or the reason it was refused.
/// </summary>
public sealed record SloApplyResult(
    string? Name,
    string Action,
    string? Location,
    IReadOnlyList<SloFieldChange> Changes,
    bool HistoryRestarts,
    IReadOnlyList<ConfigError> Errors,
    string? Reason);

/// <summary>How an apply runs: <see cref="Owner"/> is stamped on what it writes and, with <see cref="Prune"/>, scopes what it deletes, with the label <see cref="Selector"/>.</summary>
public sealed record SloApplyOptions(bool DryRun, bool Prune, string? Owner, IReadOnlyDictionary<string, string> Selector);
