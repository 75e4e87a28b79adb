namespace SloMonitor.Hosting;

/// <summary>Where the service listens and how it stops; bound from the <c>SloMonitor</c> configuration section.</summary>
internal sealed class ServiceOptions
{
    public const string Section = "SloMonitor";

    /// <summary>Address every listener binds to; 0.0.0.0 for all IPv4 interfaces.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>API, UI, <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>OTLP/gRPC: HTTP/2 over cleartext only, as OTLP exporters speak it.</summary>
    public int OtlpGrpcPort { get; set; } = 4317;

    /// <summary>OTLP/HTTP (protobuf and JSON).</summary>
    public int OtlpHttpPort { get; set; } = 4318;

    /// <summary>How long a stop waits for in-flight requests and background work to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long start-up waits for PostgreSQL before it starts without it (and keeps trying).</summary>
    public TimeSpan DatabaseStartupTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest pause between two attempts to reach PostgreSQL while it has not answered since start-up.</summary>
    public TimeSpan DatabaseRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often PostgreSQL is probed once it answered, for <c>/readyz</c> and <c>slomon_database_up</c>.</summary>
    public TimeSpan DatabaseProbeInterval { get; set; } = TimeSpan.FromSeconds(5);
}
