namespace SloMonitor.Ingest;

/// <summary>The accepted range of event times for one request, in Unix nanoseconds, read once from the clock.</summary>
internal readonly struct EventClock
{
    public EventClock(TimeProvider time, IngestOptions options)
    {
        NowUnixNano = ToUnixNano(time.GetUtcNow());
        OldestUnixNano = NowUnixNano - (options.MaxEventAgeSource?.Invoke() ?? options.MaxEventAge).Ticks * 100;
        NewestUnixNano = NowUnixNano + options.MaxFutureSkew.Ticks * 100;
    }

    public long NowUnixNano { get; }

    public long OldestUnixNano { get; }

    public long NewestUnixNano { get; }

    public static long ToUnixNano(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>Null when the time is in range; otherwise what is wrong with it, naming the field.</summary>
    public string? Check(ulong unixNano, string field)
    {
        if (unixNano == 0)
        {
            return $"{field} is missing";
        }

        if (unixNano > (ulong)NewestUnixNano)
        {
            return $"{field} {Describe(unixNano)} is more than the allowed skew ahead of the server clock {Describe((ulong)NowUnixNano)}";
        }

        if ((long)unixNano < OldestUnixNano)
        {
            return $"{field} {Describe(unixNano)} is older than the maximum event age (oldest accepted {Describe((ulong)OldestUnixNano)})";
        }

        return null;
    }

    public bool InRange(ulong unixNano) => unixNano != 0 && unixNano <= (ulong)NewestUnixNano && (long)unixNano >= OldestUnixNano;

    // Every ulong of nanoseconds fits in a DateTimeOffset (year 2554 at most).
    private static string Describe(ulong unixNano) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
