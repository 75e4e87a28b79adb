namespace SloMonitor.Otlp;

/// <summary>OTLP span kind; the numbers are the protocol's.</summary>
public enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>OTLP span status code; the numbers are the protocol's.</summary>
public enum SpanStatusCode
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}

/// <summary>The OTLP metric point types that reach the sink (Summary is rejected at ingest).</summary>
public enum MetricPointKind
{
    Sum,
    Gauge,
    Histogram,
    ExponentialHistogram,
}
