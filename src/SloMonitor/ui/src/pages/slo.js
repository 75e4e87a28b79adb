// One SLO: burn rates against their thresholds over time, the budget burning down, the SLI, latency, events, groups.
import { apiPath, getJson } from '../lib/api.js';
import { h, replace, section, table } from '../lib/dom.js';
import { amount, burn, count, labelPairs, latency, parseDuration, percent, span, time } from '../lib/format.js';
import { burnWindows, objectiveRatio, pairsFor, readPair } from '../lib/burn.js';
import { loadBurndown, loadHistory } from '../lib/history.js';
import { budgetBar, burnPair, severityBadge, stateBadge } from '../components/badges.js';
import { lineChart } from '../charts/lineChart.js';
import { adjustmentBands, adjustmentPanel } from '../components/adjustments.js';
import { sloTimelineList } from '../components/timeline.js';

const ranges = ['1h', '6h', '1d', '3d'];

export function mount(root, name) {
  let range = new URLSearchParams(window.location.search).get('range') ?? '6h';
  if (!ranges.includes(range)) range = '6h';
  let charts = null;
  let refreshNow = () => {};

  const header = h('div', { class: 'page-header' });
  const summary = h('div', { class: 'tiles' });
  const alerts = h('div', {});
  const budgets = h('div', {});
  const pairs = h('div', { class: 'pairs' });
  const chartArea = h('div', { class: 'charts' });
  const windows = h('div', {});
  const groups = h('div', {});
  const adjustments = adjustmentPanel(name, () => refreshNow());
  const timeline = h('div', {});
  const rangePicker = h('div', { class: 'range', role: 'group', 'aria-label': 'chart range' },
    'Range ', ranges.map((r) => h('button', { type: 'button', 'data-range': r, 'aria-pressed': String(r === range),
      onclick: () => {
        range = r;
        rangePicker.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.range === r)));
        refreshNow();
      } }, r)));

  replace(root, header, summary,
    section('Active alerts', { id: 'alerts' }, alerts),
    section('Error budget by SLO window', { id: 'budgets' }, budgets),
    section('Burn rate by window pair', { id: 'pairs' }, pairs),
    section('Over time', { id: 'charts' }, rangePicker, chartArea),
    section('Events by window', { id: 'windows' }, windows),
    section('Groups', { id: 'groups', hidden: true }, groups),
    section('Budget adjustments', { id: 'adjustments' },
      h('p', { class: 'muted' }, 'Ranges whose events do not count against the budget (shaded on the charts): every reading, alert and report leaves them out.'),
      adjustments.element),
    section('Timeline', { id: 'slo-timeline' }, timeline));

  return {
    onChange(callback) {
      refreshNow = callback;
    },
    async refresh(now) {
      const slo = await getJson(apiPath(`slos/${encodeURIComponent(name)}`));
      const path = (what) => apiPath(`slos/${encodeURIComponent(name)}/${what}`);
      const [short, burndown, declared, entries, releases] = await Promise.all([loadHistory(name, now, parseDuration(range)), loadBurndown(name),
        getJson(path('adjustments')).catch(() => null), getJson(path('timeline')).catch(() => null), getJson(path('deploys')).catch(() => null)]);
      const status = slo.status ?? {};
      const isLatency = slo.sli?.kind === 'latency';
      drawHeader(header, slo);
      replace(summary, tiles(slo));
      replace(alerts, alertTable(status.alerts ?? []));
      replace(budgets, budgetTable(slo));
      replace(pairs, pairsFor(slo.window, slo.alerting?.rules).map((pair) => burnPair(readPair(status, pair))));
      charts ??= createCharts(chartArea, slo, isLatency);
      charts.burn.setData(short.times, burnWindows.map((w) => short.burnRates[w] ?? short.times.map(() => null)), short.range);
      charts.budget.setData(burndown.times, [burndown.budgetRemaining], burndown.range);
      charts.sli.setData(short.times, [short.sli], short.range);
      if (charts.latency) drawLatency(charts, short);
      const bands = adjustmentBands(declared ?? []);
      [charts.burn, charts.budget, charts.sli, charts.latency].forEach((c) => c?.setBands(bands));
      const deploys = (releases?.deploys ?? []).map((d) => ({ at: Date.parse(d.at) / 1000, label: d.version }));
      [charts.burn, charts.sli, charts.latency].forEach((c) => c?.setMarkers(deploys));
      adjustments.show(declared, now);
      replace(timeline, entries ? sloTimelineList(entries, now) : h('p', { class: 'muted' }, 'The timeline could not be read.'));
      replace(windows, windowTable(slo, isLatency));
      groups.parentElement.hidden = !((slo.groups ?? status.groups)?.length);
      replace(groups, groupTable(slo));
    },
  };
}

function drawHeader(header, slo) {
  const evaluatedAt = slo.status?.evaluatedAt;
  replace(header,
    h('h1', {}, slo.name, ' ', stateBadge(slo.status?.state ?? 'nodata')),
    (slo.status?.problems ?? []).map((p) => h('p', { class: 'problem', role: 'alert' }, p)),
    h('p', { class: 'meta' },
      h('span', {}, 'Service ', h('strong', {}, slo.service)),
      h('span', {}, 'Objective ', h('strong', {}, percent(objectiveRatio(slo))), ` over ${slo.window}`),
      slo.sli?.kind ? h('span', {}, 'SLI ', h('strong', {}, slo.sli.kind)) : null,
      evaluatedAt ? h('span', { id: 'evaluated-at' }, 'Evaluated ', h('time', { datetime: evaluatedAt }, time(evaluatedAt))) : null,
      labelPairs(slo.labels).map((l) => h('span', { class: 'label' }, l))),
    h('p', { class: 'links' },
      slo.runbookUrl ? h('a', { href: slo.runbookUrl, rel: 'noopener', target: '_blank', id: 'runbook-link' }, 'Runbook ↗') : h('span', { class: 'muted' }, 'No runbook linked'),
      slo.dashboardUrl ? h('a', { href: slo.dashboardUrl, rel: 'noopener', target: '_blank' }, 'Dashboard ↗') : null,
      h('a', { href: `/ui/oncall` }, 'Open incidents'),
      h('a', { href: `/ui/slos/${encodeURIComponent(slo.name)}/debug`, id: 'debug-link' }, 'What is burning (debug)')));
}

function tiles(slo) {
  const status = slo.status ?? {};
  const whole = status.windows?.[slo.window] ?? {};
  const budget = status.errorBudget ?? {};
  const tile = (label, value, note) => h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), note ? h('div', { class: 'muted' }, note) : null);
  return [
    tile(`SLI over ${slo.window}`, percent(whole.sli), `objective ${percent(objectiveRatio(slo))}`),
    tile('Error budget remaining', budgetBar(budget.remainingRatio ?? null),
      budget.total !== undefined ? `${amount(budget.consumed)} of the ${amount(budget.total)} bad events allowed` : null),
    tile('Budget runs out', (budget.remainingRatio ?? 1) <= 0 ? 'already spent' : budget.exhaustsAt ? time(budget.exhaustsAt) : 'not at this rate'),
    tile(`Good events (${slo.window})`, h('span', { 'data-good': whole.good ?? '' }, count(whole.good))),
    tile(`Bad events (${slo.window})`, h('span', { 'data-bad': whole.total !== undefined ? whole.total - whole.good : '' },
      count(whole.total === undefined ? null : whole.total - whole.good))),
  ];
}

function alertTable(alerts) {
  return table({
    columns: ['Severity', 'Window pair', 'Threshold', 'Since'],
    empty: 'No alert is active.',
    rows: alerts.map((a) => h('tr', { 'data-alert': a.severity },
      h('td', {}, severityBadge(a.severity)), h('td', {}, `${a.longWindow} & ${a.shortWindow}`),
      h('td', { class: 'num' }, burn(a.threshold)), h('td', {}, time(a.since)))),
  });
}

function createCharts(area, slo, isLatency) {
  const box = (id, caption) => {
    const figure = h('figure', { class: 'chart', id }, h('figcaption', {}, caption), h('div', { class: 'chart-body' }));
    area.append(figure);
    return figure.querySelector('.chart-body');
  };
  const thresholds = [...new Map(pairsFor(slo.window, slo.alerting?.rules).map((p) => [p.threshold, p])).values()]
    .map((p) => ({ label: `${p.severity} ${p.long}&${p.short} > ${p.threshold}`, value: p.threshold, stroke: p.severity === 'page' ? '#b00020' : '#8a5a00' }));
  return {
    burn: lineChart(box('burn-rate-chart', 'Burn rate per window (log scale), with the alert thresholds (dashed)'),
      { series: burnWindows.map((w) => ({ label: w })), thresholds, format: burn, logFloor: 0.01, height: 300 }),
    budget: lineChart(box('budget-chart', `Error budget burn-down over the current ${slo.window} window: what is left after the bad events since the window's start`),
      { series: [{ label: 'budget remaining', stroke: '#0072b2' }], thresholds: [{ label: 'exhausted', value: 0 }], format: (v) => percent(v, 1) }),
    sli: lineChart(box('sli-chart', 'SLI, with the objective (dashed)'),
      { series: [{ label: 'SLI', stroke: '#009e73' }], thresholds: [{ label: 'objective', value: objectiveRatio(slo) }], format: (v) => percent(v, 2) }),
    latency: isLatency
      ? lineChart(box('latency-chart', latencyCaptionText(300)), { series: ['p50', 'p95', 'p99'].map((label) => ({ label, spanGaps: true })), format: latency })
      : null,
    latencyCaption: area.querySelector('#latency-chart figcaption'),
  };
}

// Each history point of a latency SLO carries its percentiles over the `latencyWindow` seconds before it. Older
// points follow the service's coarser histogram slices, so only some of them have values: the line joins them.
function drawLatency(charts, history) {
  const quantiles = ['p50', 'p95', 'p99'];
  charts.latency.setData(history.times, quantiles.map((q) => history.latency?.[q] ?? history.times.map(() => null)), history.range);
  if (history.latencyWindow) charts.latencyCaption.textContent = latencyCaptionText(history.latencyWindow);
}

const latencyCaptionText = (seconds) => `Latency percentiles (p50, p95, p99), each over the ${span(seconds)} before its point`;

// The budget of each SLO window (`windows: [7d, 28d, 90d]`); the first one drives alerting.
function budgetTable(slo) {
  const status = slo.status ?? {};
  const names = slo.windows?.length ? slo.windows : [slo.window];
  return table({
    columns: ['SLO window', 'SLI', 'Budget remaining', 'Bad of allowed', 'Runs out'],
    empty: 'No data yet.',
    attributes: { id: 'budget-table' },
    rows: names.map((w, i) => {
      const budget = status.errorBudgets?.[w] ?? (i === 0 ? status.errorBudget : null) ?? {};
      return h('tr', { 'data-window': w },
        h('th', { scope: 'row' }, w, i === 0 && names.length > 1 ? h('span', { class: 'muted' }, ' (alerting)') : null),
        h('td', { class: 'num' }, percent(status.windows?.[w]?.sli)),
        h('td', {}, budgetBar(budget.remainingRatio ?? null)),
        h('td', { class: 'num' }, budget.total !== undefined ? `${amount(budget.consumed)} of ${amount(budget.total)}` : '–'),
        h('td', {}, (budget.remainingRatio ?? 1) <= 0 ? 'already spent' : budget.exhaustsAt ? time(budget.exhaustsAt) : 'not at this rate'));
    }),
  });
}

function windowTable(slo, isLatency) {
  const windows = slo.status?.windows ?? {};
  const sloWindows = slo.windows?.length ? slo.windows : [slo.window];
  const order = [...burnWindows, ...sloWindows].filter((w, i, all) => all.indexOf(w) === i && windows[w]);
  // Time-slice SLIs: slices with data still inside their lateness allowance are not judged yet.
  const timeslice = order.some((w) => windows[w].pendingSlices !== undefined);
  return table({
    columns: ['Window', 'Good', 'Bad', 'Total', 'SLI', 'Error rate', 'Burn rate', ...(isLatency ? ['p50', 'p95', 'p99'] : []), ...(timeslice ? ['Pending slices'] : [])],
    empty: 'No events yet.',
    attributes: { id: 'window-table' },
    rows: order.map((w) => {
      const s = windows[w];
      return h('tr', { 'data-window': w },
        h('th', { scope: 'row' }, w), h('td', { class: 'num' }, count(s.good)), h('td', { class: 'num' }, count(s.total - s.good)),
        h('td', { class: 'num' }, count(s.total)), h('td', { class: 'num' }, percent(s.sli)), h('td', { class: 'num' }, percent(s.errorRate)),
        h('td', { class: 'num' }, burn(s.burnRate)),
        isLatency ? ['p50', 'p95', 'p99'].map((q) => h('td', { class: 'num' }, latency(s.latency?.[q]))) : null,
        timeslice ? h('td', { class: 'num', 'data-pending': s.pendingSlices ?? 0 }, count(s.pendingSlices ?? 0)) : null);
    }),
  });
}

function groupTable(slo) {
  const groupRows = slo.groups ?? slo.status?.groups ?? [];
  return table({
    columns: ['Group', 'State', `SLI (${slo.window})`, 'Budget remaining', 'Burn rates: page pairs, then ticket pairs'],
    empty: 'No groups.',
    attributes: { id: 'group-table' },
    rows: [...groupRows].sort((a, b) => (a.status?.errorBudget?.remainingRatio ?? 2) - (b.status?.errorBudget?.remainingRatio ?? 2)).map((g) =>
      h('tr', { 'data-group': labelPairs(g.labels).join(','), 'data-state': g.status?.state ?? 'nodata' },
        h('td', {}, labelPairs(g.labels).join(', ')), h('td', {}, stateBadge(g.status?.state ?? 'nodata')),
        h('td', { class: 'num' }, percent(g.status?.windows?.[slo.window]?.sli)),
        h('td', {}, budgetBar(g.status?.errorBudget?.remainingRatio ?? null)),
        h('td', {}, h('div', { class: 'pair-grid' }, pairsFor(slo.window, slo.alerting?.rules).map((p) => burnPair(readPair(g.status, p))))))),
  });
}
