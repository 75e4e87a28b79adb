namespace SloMonitor.Slos.Attribution;

/// <summary>A release of the SLO's service: a <c>service.version</c> value first seen at <see cref="At"/>.</summary>
internal sealed record DeployMarker(string Version, DateTimeOffset At);

/// <summary>
/// The <c>service.version</c> values an SLO's events carried, each with the time of the first event that had it.
/// The first version seen is the baseline, not a deploy; every later new version is a marker. At most a fixed number
/// are remembered (the oldest markers go first). The check for a known version reads a snapshot of them, lock-free.
/// </summary>
internal sealed class DeployMarkers(int capacity)
{
    private readonly List<(string Version, long FirstMs)> _seen = [];
    private string[] _known = [];

    public void Observe(ReadOnlySpan<char> version, long unixMs)
    {
        if (capacity == 0)
        {
            return;
        }

        foreach (var known in Volatile.Read(ref _known))
        {
            if (version.SequenceEqual(known))
            {
                return;
            }
        }

        Add(version.ToString(), unixMs);
    }

    public DeployMarker[] Markers()
    {
        lock (_seen)
        {
            return [.. _seen.Skip(1).Select(s => new DeployMarker(s.Version, DateTimeOffset.FromUnixTimeMilliseconds(s.FirstMs)))];
        }
    }

    public int Bytes
    {
        get
        {
            lock (_seen)
            {
                return 64 + (_seen.Count * (24 + 32));
            }
        }
    }

    private void Add(string version, long unixMs)
    {
        lock (_seen)
        {
            var index = _seen.FindIndex(s => s.Version == version);
            if (index >= 0)
            {
                if (unixMs < _seen[index].FirstMs)
                {
                    _seen[index] = (version, unixMs);
                }
            }
            else
            {
                if (_seen.Count == capacity)
                {
                    _seen.RemoveAt(_seen.Count > 1 ? 1 : 0);
                }

                _seen.Add((version, unixMs));
                _seen.Sort((a, b) => a.FirstMs.CompareTo(b.FirstMs));
            }

            Volatile.Write(ref _known, [.. _seen.Select(s => s.Version)]);
        }
    }
}
