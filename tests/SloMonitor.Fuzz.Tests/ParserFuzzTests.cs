using SloMonitor.Fuzz.Tests.Support;
using Xunit.Abstractions;

namespace SloMonitor.Fuzz.Tests;

/// <summary>
/// A bounded fuzzing run of every decoder and parser that reads outside input (about a minute in all): the seeds in
/// <c>Corpus/&lt;target&gt;/</c>, then mutations of them until the target's time is up. No input may crash (throw
/// anything but the documented error), hang or take unbounded memory.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void OtlpProtobufTraceRequestsNeverCrashTheDecoderOrTheIngestor() => Fuzz(Targets.OtlpProtobufTraces, 7);

    [Fact]
    public void OtlpProtobufTraceRequestsReadInPlaceGiveWhatGoogleProtobufGives() => Fuzz(Targets.OtlpProtobufTracesInPlace, 7);

    [Fact]
    public void OtlpProtobufMetricRequestsNeverCrashTheDecoderOrTheIngestor() => Fuzz(Targets.OtlpProtobufMetrics, 7);

    [Fact]
    public void OtlpJsonTraceRequestsNeverCrashTheDecoderOrTheIngestor() => Fuzz(Targets.OtlpJsonTraces, 6);

    [Fact]
    public void OtlpJsonMetricRequestsNeverCrashTheDecoderOrTheIngestor() => Fuzz(Targets.OtlpJsonMetrics, 6);

    [Fact]
    public void OtlpJsonLogRequestsNeverCrashTheDecoder() => Fuzz(Targets.OtlpJsonLogs, 3);

    [Fact]
    public void SelectorsNeverCrashTheParser() => Fuzz(Targets.Selector, 5);

    [Fact]
    public void SloYamlFilesNeverCrashTheReader() => Fuzz(Targets.SloYaml, 8);

    [Fact]
    public void OpenSloDocumentsNeverCrashTheImporter() => Fuzz(Targets.OpenSlo, 6);

    [Fact]
    public void SloJsonBodiesNeverCrashTheReader() => Fuzz(Targets.SloJson, 4);

    [Fact]
    public void RoutingFilesNeverCrashTheReader() => Fuzz(Targets.Routing, 7);

    private void Fuzz(FuzzTarget target, double seconds)
    {
        var report = FuzzRunner.Run(target, FuzzTarget.Budget(seconds));
        output.WriteLine(report.ToString());
        Assert.True(report.Executions > 0);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzzing (one target at a time, the machine's cores for it)";
}
