namespace SloMonitor.Slos.Definitions;

/// <summary>
/// The error-budget policy of an SLO for releases (<c>policy: {freezeBelow: 0, freezeWhilePaging: true}</c>): the
/// deploy gate of its service refuses a release while the remaining share of the budget is below
/// <see cref="FreezeBelow"/> (when set), or while a page alert of the SLO is active (when
/// <see cref="FreezeWhilePaging"/>).
/// </summary>
public sealed record ReleasePolicy(double? FreezeBelow, bool FreezeWhilePaging);
