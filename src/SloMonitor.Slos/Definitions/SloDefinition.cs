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

    /// <summary>The objective as a ratio, e.g. 0.999 for <c>objective: 99.9</c>.</summary>
    public double Target => Objective / 100.0;

    /// <summary>The share of events (or slices) allowed to be bad, e.g. 0.001.</summary>
    public double AllowedErrorRatio => 1.0 - Target;
}
