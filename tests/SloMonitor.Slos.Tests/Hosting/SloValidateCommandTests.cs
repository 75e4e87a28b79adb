using SloMonitor.Testing;

namespace SloMonitor.Slos.Tests.Hosting;

public sealed class SloValidateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("slo-validate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ValidFilesExitZeroAndSayHowManySlosTheyHold()
    {
        var file = Write("ok.yaml", "- {name: pay, service: checkout, objective: 99.9, sli: {kind: availability}}\n");
        var (code, stdout, stderr) = Run(file);

        Assert.Equal(0, code);
        Assert.Contains("1 SLO(s) valid", stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void ErrorsArePrintedWithFileLineAndFieldAndExitNonZero()
    {
        var file = Write("bad.yaml", "- name: pay\n  service: checkout\n  objective: 99.9\n  sli: {kind: availabilty}\n");
        var (code, _, stderr) = Run(file);

        Assert.Equal(1, code);
        Assert.Contains("bad.yaml:4:15: [0].sli.kind: must be one of availability, ratio, latency, gauge, composite; found 'availabilty'", stderr);
    }

    [Fact]
    public void ARuleLongerThanTheSloWindowIsAnErrorNamingItsField()
    {
        var file = Write("week.yaml", "- name: pay\n  service: checkout\n  objective: 99.9\n  window: 7d\n  sli: {kind: availability}\n  alerting:\n    rules:\n      - {severity: ticket, longWindow: 14d, shortWindow: 1d, burnRate: 2}\n");
        var (code, _, stderr) = Run(file);

        Assert.Equal(1, code);
        Assert.Contains("week.yaml:8:", stderr);
        Assert.Contains("[0].alerting.rules[0].longWindow: must not be longer than the SLO window (7d)", stderr);
    }

    [Fact]
    public void ANameDefinedInTwoFilesIsAnError()
    {
        var a = Write("a.yaml", "- {name: pay, service: checkout, objective: 99.9, sli: {kind: availability}}\n");
        var b = Write("b.yaml", "- {name: pay, service: other, objective: 99.9, sli: {kind: availability}}\n");
        var (code, _, stderr) = Run(a, b);

        Assert.Equal(1, code);
        Assert.Contains("'pay' is already defined in", stderr);
    }

    [Fact]
    public void AMissingFileIsAnErrorAndNoArgumentsIsAUsageError()
    {
        Assert.Equal(1, Run(Path.Combine(_directory, "missing.yaml")).Code);
        Assert.Equal(2, Run().Code);
    }

    [Fact]
    public void TheExampleSloFilesAreValid()
    {
        var (code, stdout, stderr) = Run(RepositoryRoot.Combine("deploy", "examples", "slos", "*.yaml"));

        Assert.True(code == 0, stderr);
        var files = Directory.GetFiles(RepositoryRoot.Combine("deploy", "examples", "slos"), "*.yaml");
        var declared = files.Sum(f => File.ReadLines(f).Count(line => line.TrimStart().StartsWith("- name:", StringComparison.Ordinal) || line.StartsWith("kind: SLO", StringComparison.Ordinal)));
        Assert.Contains($"{declared} SLO(s) valid", stdout);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] files)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SloValidateCommand.Run(files, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
