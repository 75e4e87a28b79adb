using System.Globalization;

namespace SloMonitor.Benchmarks.SideBySide;

/// <summary>
/// The workload both SloMonitor and Prometheus get in the side-by-side run: 200 services, each with one request
/// counter in two series (`code` 200 and 500), whose values are a fixed function of time since an origin, so the
/// history written for Prometheus's backfill, the OTLP points pushed to SloMonitor and the live scrapes all agree.
/// Service <c>i</c> takes 5 + i % 10 requests a second, of which 0.05 % × (1 + i % 4) fail.
/// </summary>
internal sealed class CounterWorkload(int services, DateTimeOffset origin)
{
    public const string OtlpMetric = "http.server.requests";
    public const string PrometheusMetric = "http_server_requests";

    public int Services { get; } = services;

    public DateTimeOffset Origin { get; } = origin;

    public static string Service(int i) => "svc-" + i.ToString(CultureInfo.InvariantCulture);

    public static string Code(bool errors) => errors ? "500" : "200";

    /// <summary>The Prometheus labels of one of service <paramref name="i"/>'s two series, as scraped and backfilled.</summary>
    public static string PrometheusLabels(int i, bool errors) => $"{{service=\"{Service(i)}\",code=\"{Code(errors)}\"}}";

    public static double RequestRate(int i) => 5 + i % 10;

    public static double ErrorShare(int i) => 0.0005 * (1 + i % 4);

    /// <summary>Requests of service <paramref name="i"/> with the given code, counted from the origin to <paramref name="at"/>.</summary>
    public long Count(int i, bool errors, DateTimeOffset at)
    {
        var seconds = Math.Max(0, (at - Origin).TotalSeconds);
        var share = errors ? ErrorShare(i) : 1 - ErrorShare(i);
        return (long)(seconds * RequestRate(i) * share);
    }
}
