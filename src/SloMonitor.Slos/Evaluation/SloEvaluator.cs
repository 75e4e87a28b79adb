using System.Buffers;
using System.Globalization;
using SloMonitor.Histograms;
using SloMonitor.Slos.Budgets;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Reads a track's windows and turns them into a status: SLI, burn rate and rate per window, the error budget,
/// the multi-window burn-rate alerts (strict <c>&gt;</c> on both windows, short window guarded by
/// <c>minEvents</c>), the budget alerts (<see cref="BudgetAlerts"/>) and the state.
/// </summary>
internal static class SloEvaluator
{
    private static readonly string[] Severities = [AlertingPolicy.Page, AlertingPolicy.Ticket];

    // What one evaluation needs only while it runs, kept per thread: a round evaluates every SLO and group, and its
    // results are what it should allocate (they stay alive until it publishes them), not scratch.
    [ThreadStatic]
    private static List<ActiveAlert>? t_alerts;

    /// <summary>Evaluates <paramref name="track"/> now, its window figures in <paramref name="storage"/> when a round gives it.</summary>
    public static SloStatus Evaluate(CompiledSlo slo, SliTrack track, DateTimeOffset now, IReadOnlyList<string> problems, RoundStorage? storage = null)
    {
        lock (track.EvaluationLock)
        {
            track.JudgeSlices(now.ToUnixTimeMilliseconds());
            var readings = ArrayPool<TrackReading>.Shared.Rent(slo.Windows.Length);
            try
            {
                return Evaluate(slo, track, now, problems, readings, storage);
            }
            finally
            {
                ArrayPool<TrackReading>.Shared.Return(readings);
            }
        }
    }

    /// <summary>The evaluation itself, under the track's evaluation lock, with room for a reading of each rolling window.</summary>
    private static SloStatus Evaluate(CompiledSlo slo, SliTrack track, DateTimeOffset now, IReadOnlyList<string> problems, TrackReading[] readings, RoundStorage? storage)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var definition = slo.Definition;
        var allowed = definition.AllowedErrorRatio;
        var pending = definition.Sli.IsTimeslice ? track.PendingSlices(nowMs) : null;
        var (windowArray, windowOffset) = storage?.TakeWindows(slo.StatusNames.Length) ?? (new WindowStatus[slo.StatusNames.Length], 0);
        var windows = windowArray.AsSpan(windowOffset, slo.StatusNames.Length);
        var excluded = slo.Excluded;
        for (var i = 0; i < slo.Windows.Length; i++)
        {
            readings[i] = track.ReadRolling(nowMs, slo.Windows[i], withLatency: false);
            if (excluded.Length > 0 || slo.SelectorExcluded.Length > 0)
            {
                readings[i] = ExcludedRanges.Apply(slo, track, readings[i], nowMs - (long)slo.Windows[i].TotalMilliseconds, nowMs + 1);
            }

            windows[i] = ToStatus(readings[i], slo.Windows[i], allowed, Pending(pending, nowMs - (long)slo.Windows[i].TotalMilliseconds));
        }

        var hourIndex = slo.HourWindow;
        var burn1h = BurnRate.Of(readings[hourIndex].Good, readings[hourIndex].Total, allowed);
        var budgets = new ErrorBudgetStatus[slo.BudgetNames.Length];
        TrackReading sloReading = default;
        for (var j = 0; j < definition.Windows.Count; j++)
        {
            var sloWindow = definition.Windows[j];
            var (fromMs, period) = SloWindowBounds(sloWindow, now);
            var reading = ExcludedRanges.Apply(slo, track, track.Read(fromMs, nowMs + 1, withLatency: false), fromMs, nowMs + 1);
            windows[slo.SloWindowSlots[j]] = ToStatus(reading, TimeSpan.FromMilliseconds(Math.Max(1, nowMs - fromMs)), allowed, Pending(pending, fromMs));
            budgets[j] = Budget(definition, reading, period, now, burn1h);
            if (j == slo.AlertingWindow)
            {
                sloReading = reading;
            }
        }

        var budget = budgets[slo.AlertingWindow];
        var sloWindowStatus = windows[slo.SloWindowSlots[slo.AlertingWindow]];
        var alertsBefore = track.Alerts.Count;
        var alerts = t_alerts ??= new List<ActiveAlert>(4);
        alerts.Clear();
        foreach (var severity in Severities)
        {
            var holding = Holding(slo, readings, severity, now);
            if (track.Alerts.Update(severity, now, definition.Alerting.ResolveAfter, holding) is { } active)
            {
                alerts.Add(active);
            }
        }

        BudgetAlerts.Evaluate(slo, track, readings, budget, sloWindowStatus, now, alerts);
        var burning = alerts.Count > 0;
        var silent = false;
        if (definition.Alerting.NoData is { } noData)
        {
            silent = nowMs - track.CreatedAtMs >= (long)noData.After.TotalMilliseconds && track.EventsIn(nowMs, noData.After) == 0;
            var condition = silent ? new ActiveAlert(noData.Severity, "nodata", DurationText.Format(noData.After), 0, 0, 0, now) : null;
            if (track.Alerts.Update("nodata", now, TimeSpan.Zero, condition) is { } active)
            {
                alerts.Add(active);
            }
        }

        if (alertsBefore > 0 || track.Alerts.Count > 0)
        {
            track.MarkChanged(); // alert state belongs to the track's checkpoint too
        }

        var state = !burning
            ? (sloReading.Total == 0 || silent ? SloStatus.NoData : SloStatus.Ok)
            : alerts.Exists(a => a.Severity == AlertingPolicy.Page && a.LongWindow != "nodata") ? SloStatus.Page : SloStatus.Ticket;
        return new SloStatus(state, new NamedValues<WindowStatus>(slo.StatusNames, windowArray, windowOffset), budget, alerts.Count == 0 ? [] : alerts.ToArray(), now)
        {
            Problems = problems,
            Budgets = new NamedValues<ErrorBudgetStatus>(slo.BudgetNames, budgets),
        };
    }

    /// <summary>
    /// <paramref name="status"/> with p50/p95/p99 in every window, read from the rings as they stand for the time it
    /// was evaluated at. Reads only: no lock, no state changes.
    /// </summary>
    public static SloStatus WithLatency(CompiledSlo slo, SliTrack track, SloStatus status)
    {
        var atMs = status.EvaluatedAt.ToUnixTimeMilliseconds();
        var windows = new Dictionary<string, WindowStatus>(status.Windows, StringComparer.Ordinal);
        for (var i = 0; i < slo.Windows.Length; i++)
        {
            if (windows.TryGetValue(slo.WindowNames[i], out var window))
            {
                windows[slo.WindowNames[i]] = window with { Latency = track.LatencyRolling(atMs, slo.Windows[i]) };
            }
        }

        foreach (var sloWindow in slo.Definition.Windows)
        {
            if (windows.TryGetValue(sloWindow.Text, out var window))
            {
                var (fromMs, _) = SloWindowBounds(sloWindow, status.EvaluatedAt);
                windows[sloWindow.Text] = window with { Latency = track.LatencyBetween(fromMs, atMs + 1) };
            }
        }

        return status with { Windows = windows };
    }

    /// <summary>How many of the pending slices start at or after <paramref name="fromMs"/>; null for event SLIs.</summary>
    private static long? Pending(List<long>? pending, long fromMs)
    {
        if (pending is null)
        {
            return null;
        }

        var count = 0;
        foreach (var start in pending)
        {
            count += start >= fromMs ? 1 : 0;
        }

        return count;
    }

    /// <summary>Where the SLO window starts now, and the period its budget and thresholds refer to.</summary>
    public static (long FromMs, TimeSpan Period) SloWindowBounds(SloWindow window, DateTimeOffset now)
    {
        if (window.TimeZone is { } zone)
        {
            var (start, end) = CalendarWindow.CurrentMonth(now, zone);
            return (start, TimeSpan.FromMilliseconds(end - start));
        }

        return (now.ToUnixTimeMilliseconds() - (long)window.Rolling.TotalMilliseconds, window.Rolling);
    }

    private static ActiveAlert? Holding(CompiledSlo slo, TrackReading[] readings, string severity, DateTimeOffset now)
    {
        var allowed = slo.Definition.AllowedErrorRatio;
        foreach (var rule in slo.Rules)
        {
            if (rule.Rule.Severity != severity)
            {
                continue;
            }

            var longReading = readings[rule.WindowIndex.Long];
            var shortReading = readings[rule.WindowIndex.Short];
            if (shortReading.Total < slo.MinEvents)
            {
                continue;
            }

            var longBurn = BurnRate.Of(longReading.Good, longReading.Total, allowed);
            var shortBurn = BurnRate.Of(shortReading.Good, shortReading.Total, allowed);
            if (longBurn > rule.Threshold && shortBurn > rule.Threshold)
            {
                return new ActiveAlert(severity, rule.LongName, rule.ShortName, rule.Threshold, longBurn, shortBurn, now);
            }
        }

        return null;
    }

    internal static ErrorBudgetStatus Budget(SloDefinition definition, TrackReading reading, TimeSpan period, DateTimeOffset now, double burn1h)
    {
        var total = BudgetEvents(definition, reading, period);
        double consumed = reading.Total - reading.Good;
        var remaining = total - consumed;
        double? ratio = total > 0 && reading.Total > 0 ? remaining / total : null;
        var exhaustsAt = ratio is { } r ? BurnRate.ExhaustsAt(now, r, burn1h, period) : null;
        return new ErrorBudgetStatus(Round(total), consumed, Round(remaining), ratio, exhaustsAt);
    }

    /// <summary>The bad events (or slices) the window may hold: the allowed ratio of its events, or of its period's slices.</summary>
    internal static double BudgetEvents(SloDefinition definition, TrackReading reading, TimeSpan period) =>
        definition.Sli.IsTimeslice
            ? definition.AllowedErrorRatio * Math.Floor(period / definition.Sli.SliceLength)
            : definition.AllowedErrorRatio * reading.Total;

    private static WindowStatus ToStatus(TrackReading reading, TimeSpan window, double allowed, long? pending)
    {
        double? rate = reading.Events < 0 ? null : reading.Events / window.TotalSeconds;
        if (reading.Total == 0)
        {
            return new WindowStatus(0, 0, rate, null, reading.Latency, pending);
        }

        return new WindowStatus(reading.Good, reading.Total, rate, BurnRate.Of(reading.Good, reading.Total, allowed), reading.Latency, pending);
    }

    // Budgets are fractional event counts; twelve significant digits keep 0.1 × 3 from printing as 0.30000000000000004.
    internal static double Round(double value)
    {
        Span<char> text = stackalloc char[32];
        return value.TryFormat(text, out var written, "G12", CultureInfo.InvariantCulture)
            ? double.Parse(text[..written], CultureInfo.InvariantCulture)
            : value;
    }
}
