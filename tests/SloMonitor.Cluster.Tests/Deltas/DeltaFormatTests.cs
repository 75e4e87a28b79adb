using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Tests.Support;

namespace SloMonitor.Cluster.Tests.Deltas;

public sealed class DeltaFormatTests
{
    [Fact]
    public void ADeltaReadsBackAsTheRowsItWasWrittenFrom()
    {
        var rows = new List<DeltaRow> { new("abc/", [1, 2, 3]), new("abc/\u001f/api/pay", []), new("abc/é", new byte[300]) };

        var read = DeltaFormat.Read(DeltaFormat.Write(rows));

        Assert.Equal(rows.Select(r => r.SeriesKey), read.Select(r => r.SeriesKey));
        Assert.Equal(rows.Select(r => r.State), read.Select(r => r.State));
    }

    [Fact]
    public void ADeltaCutAtAnyByteOrWithATrailingByteIsRefusedWithAFormatException()
    {
        var harness = new ClusterHarness();
        var recorder = new DeltaRecorder(harness.Engine());
        for (var n = 0; n < 50; n++)
        {
            recorder.OnSpan(harness.Span(n));
        }

        var bytes = recorder.Flush().Single(d => d.Slo == ClusterHarness.Latency).Bytes;
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => DeltaFormat.Read(bytes[..length]));
        }

        Assert.Throws<FormatException>(() => DeltaFormat.Read([.. bytes, 0]));
        Assert.NotEmpty(DeltaFormat.Read(bytes));
    }
}
