using SloMonitor.Storage;

namespace SloMonitor.Tests.Storage;

public sealed class RecordLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("record-log-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AFileCutAtAnyByteGivesBackEveryWholeRecordBeforeTheCutAndTakesAppendsAfterThem()
    {
        var records = new[] { Bytes(0), Bytes(1), Bytes(300), Bytes(7), Bytes(700) };
        var full = Path.Combine(_directory, "full.log");
        using (var log = RecordLog.Open(full, out var none))
        {
            Assert.Empty(none);
            foreach (var record in records)
            {
                log.Append(record);
            }

            log.Flush();
        }

        var bytes = File.ReadAllBytes(full);
        var ends = new List<long>();
        var end = 0L;
        foreach (var record in records)
        {
            end += 8 + record.Length;
            ends.Add(end);
        }

        Assert.Equal(bytes.Length, ends[^1]);
        var cut = Path.Combine(_directory, "cut.log");
        for (var length = 0; length <= bytes.Length; length++)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var whole = ends.Count(e => e <= length);
            using (var log = RecordLog.Open(cut, out var read))
            {
                Assert.Equal(records.Take(whole), read);
                Assert.Equal(whole == 0 ? 0 : ends[whole - 1], log.Length);
                log.Append([42]);
                log.Flush();
            }

            using var again = RecordLog.Open(cut, out var reread);
            Assert.Equal([.. records.Take(whole), new byte[] { 42 }], reread);
        }
    }

    [Fact]
    public void ARecordWithABadChecksumEndsWhatIsReadAndIsCutOff()
    {
        var path = Path.Combine(_directory, "bad.log");
        using (var log = RecordLog.Open(path, out _))
        {
            log.Append(Bytes(10));
            log.Append(Bytes(20));
            log.Append(Bytes(30));
            log.Flush();
        }

        var bytes = File.ReadAllBytes(path);
        bytes[8 + 10 + 8 + 5] ^= 0xFF; // a byte inside the second record
        File.WriteAllBytes(path, bytes);

        using var reopened = RecordLog.Open(path, out var read);
        Assert.Equal([Bytes(10)], read);
        Assert.Equal(18, reopened.Length);
    }

    [Fact]
    public void ARewriteReplacesEveryRecordAtOnceAndAppendsFollowIt()
    {
        var path = Path.Combine(_directory, "rewrite.log");
        using (var log = RecordLog.Open(path, out _))
        {
            log.Append(Bytes(100));
            log.Append(Bytes(200));
            log.Rewrite([Bytes(3)]);
            log.Append(Bytes(4));
            log.Flush();
        }

        using var reopened = RecordLog.Open(path, out var read);
        Assert.Equal([Bytes(3), Bytes(4)], read);
        Assert.False(File.Exists(path + ".new"));
    }

    private static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
