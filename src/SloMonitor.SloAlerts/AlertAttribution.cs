using System.Globalization;
using System.Text;
using SloMonitor.Slos.Attribution;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.SloAlerts;

/// <summary>
/// What an alert says about why it fired: the top three attributions of its window (at most 6h) and three exemplar
/// trace links, as annotations (<c>attributions</c>, <c>trace_urls</c> or, without a link template,
/// <c>trace_ids</c>, and <c>debug_url</c>). Taken when the alert first fires and kept while it stays firing.
/// </summary>
internal sealed class AlertAttribution(SloTenants tenants, SloOptions options)
{
    public const int Shown = 3;

    public static readonly string[] Keys = ["attributions", "trace_urls", "trace_ids", "debug_url"];

    public void Annotate(string tenant, SloEvaluation evaluation, ActiveAlert alert, DateTimeOffset now, string uiLink, Dictionary<string, string> annotations)
    {
        annotations["debug_url"] = uiLink + "/debug";
        if (tenants.For(tenant).Engine.AttributionOf(evaluation.Name) is not { } attribution)
        {
            return;
        }

        var window = DurationText.TryParse(alert.LongWindow, out var longWindow) && longWindow <= SloAttribution.LongestWindow && longWindow > TimeSpan.Zero
            ? longWindow
            : SloAttribution.LongestWindow;
        var reading = attribution.Read(now, window);
        if (reading.Top.Length > 0)
        {
            annotations["attributions"] = Describe(reading.Top.Take(Shown));
        }

        var template = evaluation.Definition.TraceUrlTemplate ?? options.TraceUrlTemplate;
        var (recent, _) = attribution.Exemplars(now, window, Shown * 4);
        var traces = recent.Where(e => e.TraceId is not null).Select(e => (Trace: e.TraceId!, Span: e.SpanId)).DistinctBy(t => t.Trace).Take(Shown).ToList();
        if (traces.Count == 0)
        {
            return;
        }

        if (template is null)
        {
            annotations["trace_ids"] = string.Join(' ', traces.Select(t => t.Trace));
        }
        else
        {
            annotations["trace_urls"] = string.Join(' ', traces.Select(t => TraceLinks.Link(template, t.Trace, t.Span)));
        }
    }

    /// <summary><c>http.route=/checkout: 90% of bad events, 5% of traffic; …</c></summary>
    public static string Describe(IEnumerable<AttributionValue> values)
    {
        var text = new StringBuilder();
        foreach (var v in values)
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(CultureInfo.InvariantCulture, $"{v.Key}={v.Value}: {v.BadShare:0.#%} of bad events, {v.TotalShare:0.#%} of traffic");
        }

        return text.ToString();
    }
}
