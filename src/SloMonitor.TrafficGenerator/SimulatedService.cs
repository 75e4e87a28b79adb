using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SloMonitor.TrafficGenerator;

/// <summary>One simulated service: server spans, a request-duration histogram and a replication-lag gauge.</summary>
internal sealed class SimulatedService
{
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _requests;
    private double _lagSeconds;
    private double _carry;

    public SimulatedService(string name, string route, bool degrades)
    {
        Name = name;
        Route = route;
        Degrades = degrades;
        Source = new ActivitySource("slomonitor.demo." + name);
        Meter = new Meter("slomonitor.demo." + name);
        _duration = Meter.CreateHistogram<double>("http.server.request.duration", "s", "Duration of HTTP server requests.");
        _requests = Meter.CreateCounter<long>("http.server.requests", "{request}", "HTTP server requests.");
        Meter.CreateObservableGauge("db.replication.lag", () => _lagSeconds, "s", "Replication lag of the service's database replica.");
    }

    public string Name { get; }

    public string Route { get; }

    public bool Degrades { get; }

    public ActivitySource Source { get; }

    public Meter Meter { get; }

    /// <summary>Emits about <paramref name="count"/> requests ending now, at the given degradation (0..1).</summary>
    public void Emit(Random random, double count, double degradation)
    {
        _carry += count;
        var n = (int)_carry;
        _carry -= n;
        var errorRate = (Degrades ? 0.0005 : 0.0001) + degradation * 0.08;
        var medianSeconds = 0.060 * (1 + degradation * 6);
        _lagSeconds = 0.5 + degradation * 40 + random.NextDouble();
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < n; i++)
        {
            var seconds = medianSeconds * Math.Exp(0.5 * Gaussian(random));
            var failed = random.NextDouble() < errorRate;
            var status = failed ? 500 : 200;
            using (var activity = Source.StartActivity("POST " + Route, ActivityKind.Server, parentContext: default, startTime: now - TimeSpan.FromSeconds(seconds)))
            {
                if (activity is not null)
                {
                    activity.SetTag("http.request.method", "POST");
                    activity.SetTag("http.route", Route);
                    activity.SetTag("http.response.status_code", status);
                    if (failed)
                    {
                        activity.SetStatus(ActivityStatusCode.Error, "internal error");
                    }

                    activity.SetEndTime(now.UtcDateTime);
                }
            }

            var tags = new TagList { { "http.route", Route }, { "http.response.status_code", status } };
            _duration.Record(seconds, tags);
            _requests.Add(1, tags);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
