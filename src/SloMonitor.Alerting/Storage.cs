namespace SloMonitor.Alerting;

/// <summary>Conversions at the database boundary: timestamptz columns hold UTC.</summary>
internal static class Db
{
    public static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;

    public static DateTime? Utc(DateTimeOffset? value) => value?.UtcDateTime;

    public static DateTimeOffset Offset(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Offset(DateTime? value) => value is { } v ? Offset(v) : null;
}
