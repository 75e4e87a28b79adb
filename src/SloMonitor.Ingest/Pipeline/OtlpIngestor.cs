using SloMonitor.Otlp;
using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;

namespace SloMonitor.Ingest;

/// <summary>
/// The one transport-agnostic ingest class: validates decoded export requests item by item, hands every usable
/// span and data point to the <see cref="ITelemetrySink"/> of the request's tenant (synchronously, so accepted means applied) and reports the
/// rest as rejected. The gRPC and HTTP adapters only decode, throttle and encode answers.
/// </summary>
internal sealed class OtlpIngestor
{
    private readonly TenantSinks? _tenants;
    private readonly ITelemetrySink? _sink;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly CumulativeDeltaStore _cumulative;

    /// <summary>Every request's items go to <paramref name="sink"/>, whoever sent them.</summary>
    public OtlpIngestor(ITelemetrySink sink, IngestOptions options, TimeProvider time)
        : this(options, time)
    {
        _sink = sink;
    }

    /// <summary>Each request's items go to the sink of the request's tenant.</summary>
    public OtlpIngestor(TenantSinks tenants, IngestOptions options, TimeProvider time)
        : this(options, time)
    {
        _tenants = tenants;
    }

    private OtlpIngestor(IngestOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _cumulative = new CumulativeDeltaStore(options, time);
    }

    public IngestOptions Options => _options;

    internal CumulativeDeltaStore Cumulative => _cumulative;

    /// <summary>Applies a trace request read in place from its bytes; the request stays the caller's to dispose.</summary>
    public ApplyResult ApplyTraces(TraceRequest request)
    {
        var clock = new EventClock(_time, _options);
        var tally = new ApplyTally();
        new SpanMapper(_sink ?? _tenants!.For(_tenants.CurrentTenant()), _options.MaxAttributesPerItem, clock).Apply(request, ref tally);
        return tally.ToResult();
    }

    /// <summary>Applies a decoded message (tests, tools): it is encoded and read like a received request.</summary>
    public ApplyResult ApplyTraces(ExportTraceServiceRequest request)
    {
        using var bytes = TraceRequest.FromMessage(request);
        return ApplyTraces(bytes);
    }

    public ApplyResult ApplyMetrics(ExportMetricsServiceRequest request)
    {
        var clock = new EventClock(_time, _options);
        var tally = new ApplyTally();
        var tenant = _tenants?.CurrentTenant() ?? TenantSinks.DefaultTenant;
        var pointMapper = new MetricPointMapper(_sink ?? _tenants!.For(tenant), _cumulative, _options.MaxAttributesPerItem, clock, tenant);
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            pointMapper.Apply(resourceMetrics, ref tally);
        }

        return tally.ToResult();
    }

    /// <summary>Logs are accepted and counted so that pipelines exporting them do not fail; SLOs do not use them.</summary>
    public ApplyResult ApplyLogs(ExportLogsServiceRequest request) => new(ItemCounter.Count(request), 0, null);
}
