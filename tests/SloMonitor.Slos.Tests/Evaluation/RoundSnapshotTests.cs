using System.Globalization;
using System.Text;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

/// <summary>
/// The snapshot a round publishes (its SLOs in arrays ordered by name, its window figures in one array of the round)
/// with the changes made since over it.
/// </summary>
public sealed class RoundSnapshotTests
{
    [Fact]
    public void SlosSetChangedAndRemovedAfterARoundAreListedInNameOrderCountedAndFoundUntilTheNextRoundTakesThemIn()
    {
        var harness = new EngineHarness(Fleet("a", "c", "e"));
        harness.Engine.EvaluateRound();

        harness.Engine.Set(Definition("b"));
        harness.Engine.Set(Definition("f"));
        harness.Engine.Set(Definition("e") with { Description = "changed" });
        Assert.True(harness.Engine.Remove("c"));
        harness.Engine.Set(Definition("c2"));
        Assert.True(harness.Engine.Remove("c2")); // added and removed between two rounds

        AssertListed(harness.Engine.Status, ["a", "b", "e", "f"]);
        Assert.Equal("changed", harness.Engine.Status.Find("e")!.Definition.Description);
        Assert.Null(harness.Engine.Status.Find("c"));
        Assert.Null(harness.Engine.Status.Find("c2"));

        harness.Time.Advance(TimeSpan.FromSeconds(10));
        var evaluations = harness.Engine.EvaluateRound();
        AssertListed(harness.Engine.Status, ["a", "b", "e", "f"]);
        Assert.Equal(["a", "b", "e", "f"], evaluations.Select(e => e.Definition.Name));
        Assert.Equal("changed", harness.Engine.Status.Find("e")!.Definition.Description);
        Assert.All(harness.Engine.Status.All, slo => Assert.Equal(harness.Now, slo.Overall.EvaluatedAt));
    }

    [Fact]
    public void AnSloRemovedWhileARoundRunsIsGoneFromWhatTheRoundPublishesAndOneAddedMeanwhileIsThere()
    {
        var harness = new EngineHarness(Fleet("a", "b", "c"));
        harness.Engine.EvaluateRound();
        var changed = false;
        harness.Engine.BeforeEvaluation = definition =>
        {
            if (definition.Name == "a" && !changed)
            {
                changed = true;
                harness.Engine.Remove("c");
                harness.Engine.Set(Definition("d"));
            }
        };

        harness.Engine.EvaluateRound();

        AssertListed(harness.Engine.Status, ["a", "b", "d"]);
        harness.Engine.BeforeEvaluation = null;
        harness.Engine.EvaluateRound();
        AssertListed(harness.Engine.Status, ["a", "b", "d"]);
    }

    [Fact]
    public void EverySloAndGroupOfAParallelRoundReadsItsOwnCountsInEveryWindow()
    {
        // 100 SLOs (a round evaluates 64 or more in parallel), each of its own service with its own count of spans,
        // ten of them with groupBy over three routes, each route with a count of its own.
        var yaml = new StringBuilder("slos:\n");
        for (var i = 0; i < 100; i++)
        {
            var groupBy = i % 10 == 0 ? ", groupBy: [http.route]" : "";
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{name: slo-{i:D3}, service: svc-{i}, objective: 99, sli: {{kind: availability}}{groupBy}}}\n");
        }

        var harness = new EngineHarness(yaml.ToString());
        harness.Engine.EvaluateRound();
        for (var i = 0; i < 100; i++)
        {
            for (var route = 0; route < (i % 10 == 0 ? 3 : 1); route++)
            {
                harness.Spans("svc-" + i.ToString(CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1), i + 1 + route, route, attributes: [new("http.route", "/r" + route.ToString(CultureInfo.InvariantCulture))]);
            }
        }

        harness.Time.Advance(TimeSpan.FromSeconds(10));
        harness.Engine.EvaluateRound();

        for (var i = 0; i < 100; i++)
        {
            var slo = harness.Engine.Status.Find($"slo-{i:D3}")!;
            var routes = i % 10 == 0 ? 3 : 1;
            var total = Enumerable.Range(0, routes).Sum(route => i + 1 + route);
            var bad = Enumerable.Range(0, routes).Sum();
            foreach (var (name, window) in slo.Overall.Status.Windows)
            {
                Assert.True((total - bad, total) == (window.Good, window.Total), $"slo-{i:D3} {name}: {window.Good}/{window.Total}, sent {total - bad}/{total}");
            }

            Assert.Equal(i % 10 == 0 ? 3 : 0, slo.Groups.Count);
            for (var route = 0; route < slo.Groups.Count; route++)
            {
                Assert.Equal("/r" + route.ToString(CultureInfo.InvariantCulture), slo.Groups[route].GroupLabels["http.route"]);
                Assert.All(slo.Groups[route].Status.Windows.Values, window => Assert.Equal((long)(i + 1 + route), window.Total));
            }
        }
    }

    [Fact]
    public void ARoundsWindowArrayGivesEachEvaluationItsOwnSliceAndThoseItHasNoRoomForAnArrayOfTheirOwn()
    {
        var storage = new RoundStorage(10);
        var (first, firstAt) = storage.TakeWindows(4);
        var (second, secondAt) = storage.TakeWindows(4);
        var (third, thirdAt) = storage.TakeWindows(4);

        Assert.Same(first, second);
        Assert.Equal((0, 4), (firstAt, secondAt));
        Assert.NotSame(first, third);
        Assert.Equal((0, 4), (thirdAt, third.Length));

        first[4] = new WindowStatus(9, 10, null, null, null);
        var names = new[] { "5m", "1h", "6h", "30d" };
        var values = new NamedValues<WindowStatus>(names, second, secondAt);
        Assert.Equal((9L, 10L), (values["5m"].Good, values["5m"].Total));
        Assert.Equal(names, values.Keys);
        Assert.Equal(4, values.Values.Count());
        Assert.Throws<ArgumentException>(() => new NamedValues<WindowStatus>(names, first, 7));
    }

    private static void AssertListed(SloStatusSnapshot snapshot, string[] names)
    {
        Assert.Equal(names, snapshot.All.Select(s => s.Definition.Name));
        Assert.Equal(names.Length, snapshot.Count);
        Assert.All(names, name => Assert.Equal(name, snapshot.Find(name)?.Definition.Name));
    }

    private static string Fleet(params string[] names) =>
        "slos:\n" + string.Concat(names.Select(name => $"  - {{name: {name}, service: checkout, objective: 99, sli: {{kind: availability}}}}\n"));

    private static Definitions.SloDefinition Definition(string name) =>
        SloParser.ParseYaml(Fleet(name), "more.yaml").Definitions[0];
}
