using System.Buffers;
using SloMonitor.Ingest;
using SloMonitor.Otlp.Collector.Metrics;

namespace SloMonitor.Fuzz.Tests.Regressions;

/// <summary>
/// Found by fuzzing: a metrics request that Google.Protobuf accepts, but whose histogram holds a length varint the
/// wire-type check read differently, sent the check past the end of its message (IndexOutOfRangeException, a 500).
/// The check now bounds every tag, length and fixed-size field and reports the request as malformed.
/// </summary>
public sealed class WireTypeCheckRegressionTests
{
    private const string Request = "0AE8040A1C0A1A0A0C736572766963652E6E616D65120A0A087061796D656E747312C7040A120A107061796D656E74732E6D657472696373128C010A14687474702E7365727665722E7265715D657374733A740A2C110000FAED5172861819005841E65F7286183178000000000000003A0F0A076F7574636F6D6512040A026F6B0A2C110000FAED517286181900B088DE6D728618315A000000000000003A0F0A076F7574636F6D6512040A026F6B0A121900B088DE6D72861821001C00000000F07F1002180112250A0B71756575652E64657074682A160A1419005841E65F728618210000000000000C40400112C7010A1C687474702E7365727665722E726571756573742E6475726174696F6E4AA6010A50110000FAED5172861819005841E65F72861821060000000000000029000000000000F43F32180100000000000000020000000000000003000000000000003ACF9A9999999901B93F000000000000E03F0A50110000FAED517286181900B088DE6D72861821090000000000000029000000000000044032180200000000000000030000000000000004000000000000003A109A9999999999B93F000000000000E03F10021287010A0C7270632E6475726174696F6E52770A3A110000FAED5172861819005841E65F72861821050000000000000029CDCCCCCCCCCCEC3F30063901000000000000004207080312030102014A000A37110000FAED517286181900B088DE6D728618210700000000000000299A9999999999F13F30043901000000000000004206080112020303100212270A066C65676163795A1D0A1B19005841E65F72861821010000000000000029000000000000F03F";

    [Fact]
    public void AMetricsRequestWithALengthBeyondItsMessageIsMalformedProtobufNotACrash()
    {
        var bytes = Convert.FromHexString(Request);

        var e = Assert.Throws<OtlpDecodeException>(() => ProtobufDecoder.Decode(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor, new ReadOnlySequence<byte>(bytes)));

        Assert.StartsWith("malformed protobuf: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or declares a length beyond its message", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0A")]
    [InlineData("0AFF")]
    [InlineData("0A0512")]
    [InlineData("09000000")]
    public void TruncatedFieldsAreMalformedProtobufNotACrash(string hex)
    {
        var bytes = Convert.FromHexString(hex);

        Assert.Throws<OtlpDecodeException>(() => ProtobufDecoder.Decode(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor, new ReadOnlySequence<byte>(bytes)));
    }
}
