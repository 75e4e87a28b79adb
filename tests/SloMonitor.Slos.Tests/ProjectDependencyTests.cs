using System.Text.Json;
using System.Xml.Linq;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Testing;

namespace SloMonitor.Slos.Tests;

/// <summary>
/// The SLO core reads telemetry through the OTLP data model (<c>SloMonitor.Otlp</c>: the protocol's messages and the
/// events that are views over a request's bytes), never through ingest's adapters or the gRPC server that hosts them.
/// </summary>
public sealed class ProjectDependencyTests
{
    private static readonly string[] IngestSide = ["SloMonitor.Ingest", "Grpc.AspNetCore", "Grpc.AspNetCore.Server"];

    [Fact]
    public void TheSloAssemblyReferencesTheOtlpDataModelAndNoIngestOrGrpcServerAssembly()
    {
        var referenced = typeof(SloEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Equal("SloMonitor.Otlp", typeof(SpanEvent).Assembly.GetName().Name);
        Assert.Contains("SloMonitor.Otlp", referenced);
        Assert.DoesNotContain(referenced, IsIngestSide);
    }

    [Fact]
    public void NothingTheSloCoreDependsOnBringsInIngestOrTheGrpcServerEvenTransitively()
    {
        // This test project references SloMonitor.Slos alone (besides test packages), so its dependency file lists
        // the whole graph of packages and projects that the SLO core pulls in.
        var depsFile = Path.Combine(AppContext.BaseDirectory, typeof(ProjectDependencyTests).Assembly.GetName().Name + ".deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToArray();

        Assert.Contains("SloMonitor.Slos", libraries);
        Assert.Contains("SloMonitor.Otlp", libraries);
        Assert.Contains("Google.Protobuf", libraries);
        Assert.DoesNotContain(libraries, IsIngestSide);
    }

    [Theory]
    [InlineData("SloMonitor.Slos")]
    [InlineData("SloMonitor.SloAlerts")]
    [InlineData("SloMonitor.Cluster")]
    public void AProjectBuiltOnTheSloCoreReachesNeitherIngestNorTheGrpcServerThroughAnyProjectItReferences(string project)
    {
        var reached = new List<string>();
        Walk(RepositoryRoot.Combine("src", project, project + ".csproj"), reached, []);

        Assert.Contains("SloMonitor.Otlp", reached);
        Assert.DoesNotContain(reached, IsIngestSide);
    }

    /// <summary>Every project and package that <paramref name="csproj"/> references, directly or through its projects.</summary>
    private static void Walk(string csproj, List<string> reached, HashSet<string> seen)
    {
        if (!seen.Add(Path.GetFullPath(csproj)))
        {
            return;
        }

        foreach (var reference in XDocument.Load(csproj).Descendants())
        {
            var include = reference.Attribute("Include")?.Value;
            if (include is null)
            {
                continue;
            }

            if (reference.Name.LocalName == "PackageReference")
            {
                reached.Add(include);
            }
            else if (reference.Name.LocalName == "ProjectReference")
            {
                var path = Path.Combine(Path.GetDirectoryName(csproj)!, include);
                reached.Add(Path.GetFileNameWithoutExtension(path));
                Walk(path, reached, seen);
            }
        }
    }

    private static bool IsIngestSide(string name) => IngestSide.Contains(name, StringComparer.OrdinalIgnoreCase);
}
