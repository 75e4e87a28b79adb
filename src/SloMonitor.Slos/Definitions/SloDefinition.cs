namespace SloMonitor.Slos.Definitions;

/// <summary>
/// One SLO as written by its owners, validated. <see cref="Origin"/> says where it came from: a file path, or
/// <c>api</c> for definitions managed through <c>PUT /api/v1/slos/{name}</c>.
/// </summary>
public sealed record SloDefinition(
    string Name,
    string Service,
    string? Description,
    double Objective,
    SloWindow Window,
    IReadOnlyDictionary<string, string> Labels,
    string? RunbookUrl,
    string? DashboardUrl,
    IReadOnlyList<string> GroupBy,
    int? MaxGroups,
    SliDefinition Sli,
    AlertingPolicy Alerting,
    string Origin)
{
    public const string ApiOrigin = "api";

    private readonly IReadOnlyList<SloWindow>? _windows;

    /// <summary>
    /// Every window the SLO reports an SLI and an error budget for (<c>windows: [7d, 28d, 90d]</c>): the alerting
    /// window <see cref="Window"/> first, then the others as written.
    /// </summary>
    public IReadOnlyList<SloWindow> Windows
    {
        get => _windows ?? [Window];
        init => _windows = value is { Count: > 0 } && value[0] == Window ? value : throw new ArgumentException("the first window must be the SLO window", nameof(value));
    }

    /// <summary>The release policy the deploy gate applies; null when the SLO has none (it never holds a release).</summary>
    public ReleasePolicy? Policy { get; init; }

    /// <summary>Turns exemplar trace ids into links (<c>{traceId}</c>, <c>{spanId}</c>); null: the global <c>Slos:TraceUrlTemplate</c>.</summary>
    public string? TraceUrlTemplate { get; init; }

    /// <summary>The longest stretch of data any of the windows covers.</summary>
    public TimeSpan LongestWindow
    {
        get
        {
            var longest = TimeSpan.Zero;
            foreach (var window in Windows)
            {
                longest = window.Longest > longest ? window.Longest : longest;
            }

            return longest;
        }
    }

    /// <summary>The objective as a ratio, e.g. 0.999 for <c>objective: 99.9</c>.</summary>
    public double Target => Objective / 100.0;

    /// <summary>The share of events (or slices) allowed to be bad, e.g. 0.001.</summary>
    public double AllowedErrorRatio => 1.0 - Target;
}
