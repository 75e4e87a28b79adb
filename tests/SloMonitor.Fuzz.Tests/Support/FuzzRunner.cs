using System.Diagnostics;
using System.Text;
using SloMonitor.Testing;

namespace SloMonitor.Fuzz.Tests.Support;

/// <summary>
/// An in-process mutation fuzzer with a deadline. It runs every seed of the target's corpus, then mutations of the
/// corpus, on one worker thread, while the test thread watches it. It fails on the first input that throws anything
/// but the target's documented exceptions (or one without a message), that runs longer than the per-input bound
/// (a hang), or that allocates more than the per-input memory bound. The failing input is written under
/// <c>TestResults/fuzz/</c> and named in the failure, so it can become a regression test. Inputs whose outcome
/// (success, or the first words of the error) was not seen before join the corpus for the rest of the run, which
/// steers mutation towards new behaviour without coverage instrumentation.
/// </summary>
internal static class FuzzRunner
{
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(2);
    private const int MaxCorpus = 4096;

    /// <summary>Runs the target; the mutation seed is fixed (SLOMONITOR_FUZZ_SEED changes it) so a run can be repeated.</summary>
    public static FuzzReport Run(FuzzTarget target, TimeSpan budget)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SLOMONITOR_FUZZ_SEED"), out var s) ? s : 20260101;
        var corpus = Seeds(target.Name);
        Assert.NotEmpty(corpus);
        var dictionary = target.Tokens.Select(Encoding.UTF8.GetBytes).ToList();
        var mutator = new Mutator(seed, dictionary);
        var random = new Random(seed);
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        var report = new FuzzReport(target.Name);
        long started = -1;
        byte[] current = [];
        Exception? crash = null;
        var deadline = Stopwatch.StartNew();
        var seeds = corpus.Count;

        void Loop()
        {
            for (var i = 0; crash is null && (i < seeds || deadline.Elapsed < budget); i++)
            {
                var input = i < seeds ? corpus[i] : mutator.Mutate(corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)], target.MaxLength);
                Volatile.Write(ref current, input);
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                Volatile.Write(ref started, Stopwatch.GetTimestamp());
                var outcome = Execute(target, input, out var failure);
                Volatile.Write(ref started, -1);
                allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
                var memoryBound = (64L * 1024 * 1024) + (2000L * input.Length);
                if (failure is null && allocated > memoryBound)
                {
                    failure = new InvalidOperationException($"allocated {allocated:N0} bytes for an input of {input.Length:N0} (bound {memoryBound:N0})");
                }

                if (failure is not null)
                {
                    crash = failure;
                    return;
                }

                report.Executions++;
                if (outcomes.Add(outcome) && i >= seeds && corpus.Count < MaxCorpus)
                {
                    corpus.Add(input);
                }
            }
        }

        // The stack of a thread-pool thread (1.5 MiB), as requests have: nesting must stop at the parsers' own limits.
        var worker = new Thread(Loop, 1536 * 1024) { IsBackground = true, Name = "fuzz " + target.Name };
        worker.Start();
        while (!worker.Join(50))
        {
            var since = Volatile.Read(ref started);
            if (since >= 0 && Stopwatch.GetElapsedTime(since) > PerInput)
            {
                Fail(target, Volatile.Read(ref current), $"an input ran longer than {PerInput.TotalSeconds} s (a hang)");
            }
        }

        if (crash is not null)
        {
            Fail(target, Volatile.Read(ref current), crash.ToString());
        }

        report.Outcomes = outcomes.Count;
        report.Corpus = corpus.Count;
        return report;
    }

    /// <summary>Runs one input; the outcome label groups inputs that behaved alike.</summary>
    private static string Execute(FuzzTarget target, byte[] input, out Exception? failure)
    {
        failure = null;
        try
        {
            return Label(target.Run(input));
        }
        catch (Exception e) when (target.Expected.Contains(e.GetType()))
        {
            if (string.IsNullOrWhiteSpace(e.Message))
            {
                failure = new InvalidOperationException($"{e.GetType().Name} without a message", e);
                return "";
            }

            return e.GetType().Name + ":" + Label(e.Message);
        }
        catch (Exception e)
        {
            failure = e;
            return "";
        }
    }

    /// <summary>The words of a description without numbers, quotes or positions, so that alike outcomes group.</summary>
    public static string Label(string? description)
    {
        var text = new StringBuilder();
        foreach (var c in description ?? "")
        {
            if (char.IsAsciiLetter(c) || c is ' ' or ':' or '.' or '_')
            {
                text.Append(c);
            }

            if (text.Length >= 60)
            {
                break;
            }
        }

        return text.ToString();
    }

    private static List<byte[]> Seeds(string target)
    {
        var folder = RepositoryRoot.Combine("tests", "SloMonitor.Fuzz.Tests", "Corpus", target);
        return [.. Directory.GetFiles(folder).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
    }

    private static void Fail(FuzzTarget target, byte[] input, string problem)
    {
        var folder = RepositoryRoot.Combine("TestResults", "fuzz");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{target.Name}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(input))[..16]}");
        File.WriteAllBytes(file, input);
        Assert.Fail($"fuzz target {target.Name}: {problem}\ninput ({input.Length} bytes) written to {file}; base64: {Convert.ToBase64String(input.AsSpan(0, Math.Min(input.Length, 2048)))}");
    }
}

/// <summary>What one run did: inputs executed, distinct outcomes seen and the corpus it ended with.</summary>
internal sealed class FuzzReport(string target)
{
    public string Target { get; } = target;

    public long Executions { get; set; }

    public int Outcomes { get; set; }

    public int Corpus { get; set; }

    public override string ToString() => $"{Target}: {Executions:N0} inputs, {Outcomes} distinct outcomes, corpus {Corpus}";
}
