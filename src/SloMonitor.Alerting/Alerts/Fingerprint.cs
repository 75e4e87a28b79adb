using System.Globalization;

namespace SloMonitor.Alerting.Alerts;

/// <summary>
/// The stable identity of an alert: FNV-1a 64 over the labels sorted by name, each name and value followed by a
/// 0xFF separator, printed as 16 hex digits. It is the same function Alertmanager uses, so a fingerprint here
/// equals the one Alertmanager shows for the same labels. An alert of a tenant other than the default one hashes
/// its tenant's name first, between two 0xFE bytes (which UTF-8 text never holds), so the same labels in two tenants
/// are two alerts while the default tenant's fingerprints stay Alertmanager's.
/// </summary>
internal static class Fingerprint
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;
    private const byte Separator = 0xFF;
    private const byte TenantMark = 0xFE;

    public static string Of(IReadOnlyDictionary<string, string> labels) => Of(Storage.Tenants.Default, labels);

    public static string Of(string tenant, IReadOnlyDictionary<string, string> labels)
    {
        var names = labels.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        var hash = OffsetBasis;
        if (tenant != Storage.Tenants.Default)
        {
            hash = AddByte(hash, TenantMark);
            hash = Add(hash, tenant);
            hash = AddByte(hash, TenantMark);
        }

        foreach (var name in names)
        {
            hash = Add(hash, name);
            hash = AddByte(hash, Separator);
            hash = Add(hash, labels[name]);
            hash = AddByte(hash, Separator);
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static ulong Add(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text) <= buffer.Length
            ? buffer[..System.Text.Encoding.UTF8.GetBytes(text, buffer)]
            : System.Text.Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = AddByte(hash, b);
        }

        return hash;
    }

    private static ulong AddByte(ulong hash, byte b) => (hash ^ b) * Prime;
}
