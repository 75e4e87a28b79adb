namespace SloMonitor.Hosting;

/// <summary>Set once the schema migrations ran; <c>/readyz</c> also asks PostgreSQL on every call.</summary>
internal sealed class Readiness
{
    private volatile bool _migrated;

    public bool Migrated => _migrated;

    public void MarkMigrated() => _migrated = true;
}
