using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Keeps one alert per severity active from the first evaluation where a rule of that severity holds until
/// <c>resolveAfter</c> has passed since the last one where a rule held, so a flapping burn rate pages once.
/// Called under the owning track's lock.
/// </summary>
internal sealed class AlertTracker
{
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>Records whether <paramref name="holding"/> holds now and returns the alert if it is active.</summary>
    public ActiveAlert? Update(string severity, DateTimeOffset now, TimeSpan resolveAfter, ActiveAlert? holding)
    {
        _states.TryGetValue(severity, out var state);
        if (holding is not null)
        {
            state = new State(state?.Since ?? now, now, holding);
            _states[severity] = state;
            return holding with { Since = state.Since };
        }

        if (state is null)
        {
            return null;
        }

        if (now - state.LastHeld >= resolveAfter)
        {
            _states.Remove(severity);
            return null;
        }

        return state.Last with { Since = state.Since };
    }

    private sealed record State(DateTimeOffset Since, DateTimeOffset LastHeld, ActiveAlert Last);
}
