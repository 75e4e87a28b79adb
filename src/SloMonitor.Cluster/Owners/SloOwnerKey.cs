namespace SloMonitor.Cluster.Owners;

/// <summary>The key of an SLO's owner grain: <c>tenant/slo</c>; a tenant name holds no '/', an SLO name may.</summary>
public static class SloOwnerKey
{
    public static string Of(string tenant, string slo)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(slo);
        if (tenant.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"tenant '{tenant}' contains '/', which an owner key cannot hold", nameof(tenant));
        }

        return tenant + "/" + slo;
    }

    public static (string Tenant, string Slo) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new FormatException($"owner key '{key}' is not 'tenant/slo'");
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
