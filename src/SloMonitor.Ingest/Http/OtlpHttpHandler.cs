using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using SloMonitor.Otlp.Collector.Logs;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;
using RpcStatus = SloMonitor.Otlp.Rpc.Status;

namespace SloMonitor.Ingest;

/// <summary>
/// The OTLP/HTTP adapter: content negotiation, body limits, throttling and answers in the request's encoding.
/// Decoding failures and limits answer with a google.rpc.Status body, as OTLP/HTTP asks.
/// </summary>
internal sealed class OtlpHttpHandler(OtlpIngestor ingestor, IngestGate gate)
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;
    private const int Unavailable = 14;

    // Protobuf is read in place from the body's buffer, which stays until the request is answered; JSON is decoded
    // into the message types and encoded to protobuf bytes, read the same way.
    public Task Traces(HttpContext context) => Handle(context, Signals.Traces, static (ingestor, body, json, depth, response) =>
    {
        var request = json ? TraceRequest.FromMessage(OtlpJsonDecoder.Traces(body.Span, depth)) : TraceRequest.Read(body.Array, body.Length);
        return new Decoded(request.SpanCount, () =>
        {
            using (request)
            {
                var result = ingestor.ApplyTraces(request);
                response.Message = result.Rejected == 0 ? new ExportTraceServiceResponse() : new ExportTraceServiceResponse
                {
                    PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = result.Rejected, ErrorMessage = result.ErrorMessage ?? string.Empty },
                };
                return result;
            }
        });
    });

    public Task Metrics(HttpContext context) => Handle(context, Signals.Metrics, static (ingestor, body, json, depth, response) =>
    {
        var request = json ? OtlpJsonDecoder.Metrics(body.Span, depth) : ProtobufDecoder.Decode(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor, body.Sequence);
        return new Decoded(ItemCounter.Count(request), () =>
        {
            var result = ingestor.ApplyMetrics(request);
            response.Message = result.Rejected == 0 ? new ExportMetricsServiceResponse() : new ExportMetricsServiceResponse
            {
                PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = result.Rejected, ErrorMessage = result.ErrorMessage ?? string.Empty },
            };
            return result;
        });
    });

    public Task Logs(HttpContext context) => Handle(context, Signals.Logs, static (ingestor, body, json, depth, response) =>
    {
        var request = json ? OtlpJsonDecoder.Logs(body.Span, depth) : ProtobufDecoder.Decode(ExportLogsServiceRequest.Parser, ExportLogsServiceRequest.Descriptor, body.Sequence);
        return new Decoded(ItemCounter.Count(request), () =>
        {
            response.Message = new ExportLogsServiceResponse();
            return ingestor.ApplyLogs(request);
        });
    });

    private async Task Handle(HttpContext context, string signal, DecodeBody decode)
    {
        var request = context.Request;
        var json = false;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !((json = mediaType.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase)) || mediaType.MediaType.Equals(Protobuf, StringComparison.OrdinalIgnoreCase)))
        {
            await Fail(context, signal, false, StatusCodes.Status415UnsupportedMediaType, RequestOutcome.UnsupportedMediaType, InvalidArgument,
                $"unsupported Content-Type '{request.ContentType}': send {Protobuf} or {Json}");
            return;
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            await Fail(context, signal, json, StatusCodes.Status415UnsupportedMediaType, RequestOutcome.UnsupportedMediaType, InvalidArgument,
                $"unsupported Content-Encoding '{encoding}': send gzip or identity");
            return;
        }

        // The body is read before a request slot is taken: a client that sends slowly holds a few bytes of the
        // byte budget, never one of the slots that decoding and applying need.
        using var lease = gate.LeaseBytes();
        var options = ingestor.Options;
        HttpBody body;
        try
        {
            body = await HttpBody.ReadAsync(context.Request, gzip, options.MaxBodyBytes, lease, context.RequestAborted);
        }
        catch (BodyTooLargeException e)
        {
            await Fail(context, signal, json, StatusCodes.Status413PayloadTooLarge, RequestOutcome.TooLarge, ResourceExhausted, e.Message);
            return;
        }
        catch (OtlpDecodeException e)
        {
            await Fail(context, signal, json, StatusCodes.Status400BadRequest, RequestOutcome.Invalid, InvalidArgument, e.Message);
            return;
        }
        catch (BytesInFlightException e)
        {
            await Throttle(context, signal, json, StatusCodes.Status503ServiceUnavailable, RequestOutcome.Unavailable, Unavailable, e.Message);
            return;
        }

        using (body)
        {
            if (!gate.TryEnterRequest())
            {
                await Throttle(context, signal, json, StatusCodes.Status429TooManyRequests, RequestOutcome.Throttled, ResourceExhausted,
                    "too many export requests in flight (Ingest:MaxInFlightRequests); retry later");
                return;
            }

            try
            {
                await HandleAdmitted(context, signal, json, body, decode);
            }
            finally
            {
                gate.ExitRequest();
            }
        }
    }

    private async Task HandleAdmitted(HttpContext context, string signal, bool json, HttpBody body, DecodeBody decode)
    {
        var response = new ResponseHolder();
        Decoded decoded;
        try
        {
            if (body.Length == 0)
            {
                throw new OtlpDecodeException("the body is empty");
            }

            decoded = decode(ingestor, body, json, ingestor.Options.MaxJsonDepth, response);
        }
        catch (OtlpDecodeException e)
        {
            await Fail(context, signal, json, StatusCodes.Status400BadRequest, RequestOutcome.Invalid, InvalidArgument, e.Message);
            return;
        }

        if (!gate.TryReserveItems(decoded.Items))
        {
            await Throttle(context, signal, json, StatusCodes.Status503ServiceUnavailable, RequestOutcome.Unavailable, Unavailable,
                "the ingest pipeline is full (Ingest:MaxInFlightItems); retry later");
            return;
        }

        ApplyResult result;
        try
        {
            result = decoded.Apply();
        }
        finally
        {
            gate.ReleaseItems(decoded.Items);
        }

        IngestMetrics.Count(signal, result);
        IngestMetrics.Record(Signals.Http, signal, result.Rejected == 0 ? RequestOutcome.Success : RequestOutcome.PartialSuccess);
        await Write(context, StatusCodes.Status200OK, json, response.Message!);
    }

    private async Task Throttle(HttpContext context, string signal, bool json, int httpStatus, RequestOutcome outcome, int rpcCode, string message)
    {
        context.Response.Headers.RetryAfter = Math.Ceiling(ingestor.Options.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await Fail(context, signal, json, httpStatus, outcome, rpcCode, message);
    }

    private static Task Fail(HttpContext context, string signal, bool json, int httpStatus, RequestOutcome outcome, int rpcCode, string message)
    {
        IngestMetrics.Record(Signals.Http, signal, outcome);
        return Write(context, httpStatus, json, new RpcStatus { Code = rpcCode, Message = message });
    }

    private static async Task Write(HttpContext context, int status, bool json, IMessage message)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (json)
        {
            response.ContentType = Json;
            await response.WriteAsync(JsonFormatter.Default.Format(message), context.RequestAborted);
        }
        else
        {
            // Answers are a few bytes (often none): a plain array write is simplest and valid for zero bytes too.
            var bytes = message.ToByteArray();
            response.ContentType = Protobuf;
            response.ContentLength = bytes.Length;
            if (bytes.Length > 0)
            {
                await response.Body.WriteAsync(bytes, context.RequestAborted);
            }
        }
    }

    private delegate Decoded DecodeBody(OtlpIngestor ingestor, HttpBody body, bool json, int maxJsonDepth, ResponseHolder response);

    private sealed class ResponseHolder
    {
        public IMessage? Message { get; set; }
    }

    private readonly record struct Decoded(int Items, Func<ApplyResult> Apply);
}
