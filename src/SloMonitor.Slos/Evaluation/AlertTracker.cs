using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Keeps one alert per severity active from the first evaluation where a rule of that severity holds until
/// <c>resolveAfter</c> has passed since the last one where a rule held, so a flapping burn rate pages once.
/// Called under the owning track's lock. Its state goes into the track's checkpoint, so an alert keeps its start
/// time (and its <c>resolveAfter</c>) across a restart.
/// </summary>
internal sealed class AlertTracker
{
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>How many alerts (active, or waiting out their <c>resolveAfter</c>) the tracker holds.</summary>
    public int Count => _states.Count;

    /// <summary>Records whether <paramref name="holding"/> holds now and returns the alert if it is active.</summary>
    public ActiveAlert? Update(string severity, DateTimeOffset now, TimeSpan resolveAfter, ActiveAlert? holding)
    {
        _states.TryGetValue(severity, out var state);
        if (holding is not null)
        {
            var since = state?.Since ?? now;
            var alert = holding.Since == since ? holding : holding with { Since = since };
            _states[severity] = new State(since, now, alert);
            return alert;
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

        return state.Last.Since == state.Since ? state.Last : state.Last with { Since = state.Since };
    }

    /// <summary>Every alert's state: a count, then per severity its start, last hold and last alert.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(_states.Count);
        foreach (var (severity, state) in _states)
        {
            writer.Write(severity);
            writer.Write(state.Since.UtcTicks);
            writer.Write(state.LastHeld.UtcTicks);
            var last = state.Last;
            writer.Write(last.Severity);
            writer.Write(last.LongWindow);
            writer.Write(last.ShortWindow);
            writer.Write(last.Threshold);
            writer.Write(last.LongBurnRate);
            writer.Write(last.ShortBurnRate);
            writer.Write(last.Since.UtcTicks);
        }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; <see cref="Restore"/> puts it in place.</summary>
    public static Dictionary<string, State> Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 64)
        {
            throw new FormatException($"alert state count {count} is out of range");
        }

        var states = new Dictionary<string, State>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var severity = reader.ReadString();
            var since = Time(reader.ReadInt64());
            var lastHeld = Time(reader.ReadInt64());
            var last = new ActiveAlert(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), Time(reader.ReadInt64()));
            states[severity] = new State(since, lastHeld, last);
        }

        return states;
    }

    public void Restore(Dictionary<string, State> states)
    {
        _states.Clear();
        foreach (var (severity, state) in states)
        {
            _states[severity] = state;
        }
    }

    private static DateTimeOffset Time(long ticks) =>
        ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : throw new FormatException($"alert time {ticks} is out of range");

    internal sealed record State(DateTimeOffset Since, DateTimeOffset LastHeld, ActiveAlert Last);
}
