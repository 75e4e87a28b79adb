namespace SloMonitor.Slos.Attribution;

/// <summary>
/// A 64-bit hash of (key index, value text), the identity of a value in the sketches; FNV-1a, then mixed. Never 0,
/// which stands for "no value".
/// </summary>
internal static class ValueHash
{
    public static ulong Of(int keyIndex, ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL ^ (ulong)(keyIndex + 1);
        for (var i = 0; i < text.Length; i++)
        {
            hash = (hash ^ text[i]) * 1099511628211UL;
        }

        // The final mix spreads FNV's low bits, which the sketch rows use.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash == 0 ? 1 : hash;
    }
}
