using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Where a composite SLI's readings come from: its parts' overall tracks, found by name at each reading (so a part
/// redefined or added later is picked up), each with its own budget adjustments taken out, then combined. With
/// <see cref="CompositeCombine.Events"/> good and total are the weighted sums of the parts' (rounded to whole
/// events); with <see cref="CompositeCombine.Ratio"/> the SLI is the weighted mean of the parts' SLIs over the parts
/// with data, held as good of <see cref="RatioScale"/> per unit of weight. A part that is not defined, or is itself a
/// composite, is left out and named in <see cref="Problems"/>.
/// </summary>
internal sealed class CompositeSource(IReadOnlyList<CompositePart> parts, CompositeCombine combine, Func<string, CompiledSlo?> find)
{
    public const long RatioScale = 1_000_000;

    public TrackReading ReadRolling(long nowMs, TimeSpan window) => Combine(slo =>
    {
        var track = slo.Tracks.Overall;
        var reach = window > slo.Tracks.Retention ? slo.Tracks.Retention : window;
        return ExcludedRanges.Apply(slo, track, track.ReadRolling(nowMs, reach, withLatency: false), nowMs - (long)reach.TotalMilliseconds, nowMs + 1);
    });

    public TrackReading Read(long fromMs, long toMs) => Combine(slo =>
    {
        var track = slo.Tracks.Overall;
        return ExcludedRanges.Apply(slo, track, track.Read(fromMs, toMs, withLatency: false), fromMs, toMs);
    });

    public long EventsIn(long nowMs, TimeSpan window)
    {
        long events = 0;
        foreach (var part in parts)
        {
            if (Find(part) is { } slo)
            {
                events += slo.Tracks.Overall.EventsIn(nowMs, window > slo.Tracks.Retention ? slo.Tracks.Retention : window);
            }
        }

        return events;
    }

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var part in parts)
        {
            if (find(part.Slo) is not { } slo)
            {
                problems.Add($"part '{part.Slo}' is not defined; the composite is read without it");
            }
            else if (slo.Definition.Sli.Kind == SliKind.Composite)
            {
                problems.Add($"part '{part.Slo}' is a composite itself, which a composite cannot hold; it is left out");
            }
        }

        return problems;
    }

    private CompiledSlo? Find(CompositePart part) => find(part.Slo) is { } slo && slo.Definition.Sli.Kind != SliKind.Composite ? slo : null;

    private TrackReading Combine(Func<CompiledSlo, TrackReading> read)
    {
        double good = 0, total = 0;
        long events = 0;
        var eventsKnown = true;
        foreach (var part in parts)
        {
            if (Find(part) is not { } slo)
            {
                continue;
            }

            var reading = read(slo);
            if (reading.Events < 0)
            {
                eventsKnown = false;
            }
            else
            {
                events += reading.Events;
            }

            if (combine == CompositeCombine.Events)
            {
                good += part.Weight * reading.Good;
                total += part.Weight * reading.Total;
            }
            else if (reading.Total > 0)
            {
                good += part.Weight * RatioScale * reading.Good / reading.Total;
                total += part.Weight * RatioScale;
            }
        }

        var roundedTotal = (long)Math.Round(total);
        return new TrackReading(Math.Min(roundedTotal, (long)Math.Round(good)), roundedTotal, eventsKnown ? events : -1, null);
    }
}
