using Grpc.Core;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Ingest.Tests.Support;

namespace SloMonitor.Ingest.Tests.Transport;

/// <summary>The malformed-input corpus over OTLP/gRPC: INVALID_ARGUMENT / RESOURCE_EXHAUSTED, nothing applied, healthy after.</summary>
public sealed class GrpcMalformedInputTests
{
    // Payloads are built inside the test (not in the theory data) so that discovery stays fast.
    private static readonly Dictionary<string, (Func<byte[]> Body, bool Gzip, StatusCode Status, string Detail)> Cases = new()
    {
        ["truncated protobuf"] = (() => Payloads.ValidTraces()[..100], false, StatusCode.InvalidArgument, "malformed protobuf"),
        ["wrong wire type"] = (() => [0x08, 0x01], false, StatusCode.InvalidArgument, "wire type"),
        ["oversized varint"] = (() => [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], false, StatusCode.InvalidArgument, "malformed protobuf"),
        ["deeply nested AnyValue"] = (() => Payloads.DeeplyNestedAnyValue(200), false, StatusCode.InvalidArgument, "malformed protobuf"),
        // 32 MiB of zeros is a few dozen KiB once the client gzips it (grpc-encoding: gzip).
        ["gzip bomb"] = (() => new byte[32 * 1024 * 1024], true, StatusCode.ResourceExhausted, ""),
    };

    public static TheoryData<string> Corpus() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task AMalformedMessageGetsItsDocumentedStatusAppliesNothingAndTheNextValidMessageSucceeds(string name)
    {
        var (makeBody, gzip, expected, detailPart) = Cases[name];
        var body = makeBody();
        await using var host = await IngestHost.StartAsync();
        using var grpc = new RawGrpc(host.GrpcAddress);

        var (code, detail, _, _) = await grpc.ExportAsync("trace", body, gzip);
        Assert.True(expected == code, $"{name}: expected {expected}, got {code} ({detail})");
        Assert.Contains(detailPart, detail, StringComparison.Ordinal);
        Assert.Empty(host.Sink.Spans);

        var (okCode, okDetail, _, response) = await grpc.ExportAsync("trace", Payloads.ValidTraces(2));
        Assert.True(okCode == StatusCode.OK, okDetail);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(response).PartialSuccess);
        Assert.Equal(2, host.Sink.Spans.Count);
    }

    [Fact]
    public async Task AMessageOverTheConfiguredLimitGetsResourceExhausted()
    {
        await using var host = await IngestHost.StartAsync(o => o.MaxBodyBytes = 4096);
        using var grpc = new RawGrpc(host.GrpcAddress);

        var (code, _, _, _) = await grpc.ExportAsync("trace", Payloads.ValidTraces(200));
        Assert.Equal(StatusCode.ResourceExhausted, code);

        var (okCode, _, _, _) = await grpc.ExportAsync("trace", Payloads.ValidTraces(2));
        Assert.Equal(StatusCode.OK, okCode);
    }

    [Fact]
    public async Task LogsAreAcceptedOverGrpcSoPipelinesThatSendThemDoNotFail()
    {
        await using var host = await IngestHost.StartAsync();
        using var grpc = new RawGrpc(host.GrpcAddress);
        var request = new Otlp.Collector.Logs.ExportLogsServiceRequest
        {
            ResourceLogs = { new Otlp.Logs.ResourceLogs { ScopeLogs = { new Otlp.Logs.ScopeLogs { LogRecords = { new Otlp.Logs.LogRecord(), new Otlp.Logs.LogRecord() } } } } },
        };

        var (code, _, _, response) = await grpc.ExportAsync("logs", Google.Protobuf.MessageExtensions.ToByteArray(request));

        Assert.Equal(StatusCode.OK, code);
        Assert.Null(Otlp.Collector.Logs.ExportLogsServiceResponse.Parser.ParseFrom(response).PartialSuccess);
    }
}
