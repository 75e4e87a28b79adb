using Grpc.Core;
using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;

namespace SloMonitor.Ingest;

// Grpc.AspNetCore binds a method only when it is virtual and declared by the type named in BindServiceMethod
// (as generated service bases are), hence the unsealed classes with virtual Export methods.

/// <summary>
/// opentelemetry.proto.collector.trace.v1.TraceService, bound with our own request marshaller: the request stays
/// bytes and its spans are read in place.
/// </summary>
[BindServiceMethod(typeof(OtlpTraceGrpcService), nameof(BindService))]
internal class OtlpTraceGrpcService(GrpcExport export)
{
    public static void BindService(ServiceBinderBase binder, OtlpTraceGrpcService? service) =>
        binder.AddMethod(
            new Method<DecodedTraceRequest, ExportTraceServiceResponse>(
                MethodType.Unary,
                "opentelemetry.proto.collector.trace.v1.TraceService",
                "Export",
                DecodedTraceRequest.Marshaller(),
                DecodedRequest<ExportTraceServiceRequest>.ResponseMarshaller(ExportTraceServiceResponse.Parser)),
            service is null ? null : service.Export);

    public virtual Task<ExportTraceServiceResponse> Export(DecodedTraceRequest request, ServerCallContext context)
    {
        using (request)
        {
            return Task.FromResult(export.Run(
                request.PayloadLength,
                request.Error,
                request.Request,
                Signals.Traces,
                static r => r.SpanCount,
                export.Ingestor.ApplyTraces,
                static result => result.Rejected == 0 ? new ExportTraceServiceResponse() : new ExportTraceServiceResponse
                {
                    PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = result.Rejected, ErrorMessage = result.ErrorMessage ?? string.Empty },
                }));
        }
    }
}

/// <summary>opentelemetry.proto.collector.metrics.v1.MetricsService, bound with our own request marshaller.</summary>
[BindServiceMethod(typeof(OtlpMetricsGrpcService), nameof(BindService))]
internal class OtlpMetricsGrpcService(GrpcExport export)
{
    public static void BindService(ServiceBinderBase binder, OtlpMetricsGrpcService? service) =>
        binder.AddMethod(
            new Method<DecodedRequest<ExportMetricsServiceRequest>, ExportMetricsServiceResponse>(
                MethodType.Unary,
                "opentelemetry.proto.collector.metrics.v1.MetricsService",
                "Export",
                DecodedRequest<ExportMetricsServiceRequest>.Marshaller(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor),
                DecodedRequest<ExportMetricsServiceRequest>.ResponseMarshaller(ExportMetricsServiceResponse.Parser)),
            service is null ? null : service.Export);

    public virtual Task<ExportMetricsServiceResponse> Export(DecodedRequest<ExportMetricsServiceRequest> request, ServerCallContext context) =>
        Task.FromResult(export.Run(
            request.PayloadLength,
            request.Error,
            request.Message,
            Signals.Metrics,
            ItemCounter.Count,
            export.Ingestor.ApplyMetrics,
            static result => result.Rejected == 0 ? new ExportMetricsServiceResponse() : new ExportMetricsServiceResponse
            {
                PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = result.Rejected, ErrorMessage = result.ErrorMessage ?? string.Empty },
            }));
}

/// <summary>opentelemetry.proto.collector.logs.v1.LogsService: logs are accepted and counted, not used.</summary>
[BindServiceMethod(typeof(OtlpLogsGrpcService), nameof(BindService))]
internal class OtlpLogsGrpcService(GrpcExport export)
{
    public static void BindService(ServiceBinderBase binder, OtlpLogsGrpcService? service) =>
        binder.AddMethod(
            new Method<DecodedRequest<ExportLogsServiceRequest>, ExportLogsServiceResponse>(
                MethodType.Unary,
                "opentelemetry.proto.collector.logs.v1.LogsService",
                "Export",
                DecodedRequest<ExportLogsServiceRequest>.Marshaller(ExportLogsServiceRequest.Parser, ExportLogsServiceRequest.Descriptor),
                DecodedRequest<ExportLogsServiceRequest>.ResponseMarshaller(ExportLogsServiceResponse.Parser)),
            service is null ? null : service.Export);

    public virtual Task<ExportLogsServiceResponse> Export(DecodedRequest<ExportLogsServiceRequest> request, ServerCallContext context) =>
        Task.FromResult(export.Run(
            request.PayloadLength,
            request.Error,
            request.Message,
            Signals.Logs,
            ItemCounter.Count,
            export.Ingestor.ApplyLogs,
            static _ => new ExportLogsServiceResponse()));
}
