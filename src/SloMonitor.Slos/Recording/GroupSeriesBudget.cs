namespace SloMonitor.Slos.Recording;

/// <summary>
/// The group series one tenant may hold across all its SLOs (<c>Slos:MaxGroupSeriesPerTenant</c>), beside each SLO's
/// own <c>maxGroups</c>: a group is created only when the tenant's budget has room, and an SLO's groups give their
/// room back when it is removed or its series restart. Taken on the slow path that creates a group, never per event.
/// </summary>
internal sealed class GroupSeriesBudget(int max)
{
    private long _used;

    public int Max { get; } = max;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>Takes room for one group; false when the tenant is at its cap.</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _used) <= Max)
        {
            return true;
        }

        Interlocked.Decrement(ref _used);
        return false;
    }

    public void Give(long groups) => Interlocked.Add(ref _used, -groups);
}
