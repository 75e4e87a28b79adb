// What is burning in one SLO, and why: attribution per attribute key (share of the bad events against share of the
// traffic, as bars), the failing requests with their trace links, latency against the threshold, deploy markers.
import './debug.css';
import { apiPath, getJson } from '../lib/api.js';
import { h, replace, section, table } from '../lib/dom.js';
import { burn, count, latency, percent, time } from '../lib/format.js';
import { burnWindows } from '../lib/burn.js';
import { loadHistory } from '../lib/history.js';
import { stateBadge } from '../components/badges.js';
import { lineChart } from '../charts/lineChart.js';

const windows = ['5m', '1h', '6h'];

export function mount(root, name) {
  let chosen = new URLSearchParams(window.location.search).get('window') ?? '1h';
  if (!windows.includes(chosen)) chosen = '1h';
  let refreshNow = () => {};
  let charts = null;
  const header = h('div', { class: 'page-header' });
  const top = h('div', {});
  const keys = h('div', { class: 'attribution-keys' });
  const exemplars = h('div', {});
  const deploys = h('div', {});
  const distribution = h('div', {});
  const distributionSection = section('Latency distribution', { id: 'latency-distribution', hidden: '' }, distribution);
  const chartArea = h('div', { class: 'charts' });
  const picker = h('div', { class: 'range', role: 'group', 'aria-label': 'attribution window' },
    'Window ', windows.map((w) => h('button', { type: 'button', 'data-window': w, 'aria-pressed': String(w === chosen),
      onclick: () => {
        chosen = w;
        picker.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.window === w)));
        refreshNow();
      } }, w)));

  replace(root, header,
    section('What is burning', { id: 'attribution' }, picker,
      h('p', { class: 'muted' }, 'Values most over-represented among the bad events: their share of the bad events against their share of all events.'),
      top),
    section('By attribute', { id: 'attribution-by-key' }, keys),
    section('Failing requests', { id: 'exemplars' }, exemplars),
    distributionSection,
    section('Over the last 6 hours, with deploys', { id: 'debug-charts' }, chartArea),
    section('Deploys', { id: 'deploys' }, deploys));

  return {
    onChange(callback) {
      refreshNow = callback;
    },
    async refresh(now) {
      const path = (what, query) => apiPath(`slos/${encodeURIComponent(name)}/${what}`, query);
      const [slo, attribution, samples, releases, history] = await Promise.all([
        getJson(apiPath(`slos/${encodeURIComponent(name)}`)),
        getJson(path('attribution', { window: chosen })),
        getJson(path('exemplars', { window: chosen, limit: 20 })),
        getJson(path('deploys')),
        loadHistory(name, now, 6 * 3600)]);
      const isLatency = slo.sli?.kind === 'latency';
      drawHeader(header, slo, attribution);
      replace(top, topTable(attribution));
      replace(keys, (attribution.keys ?? []).map(keyTable));
      replace(exemplars, exemplarTable(samples.recent ?? [], 'recent-exemplars', 'No bad event kept in this window.'),
        isLatency ? [h('h3', {}, 'Slowest'), exemplarTable(samples.slowest ?? [], 'slowest-exemplars', 'No slow event kept in this window.')] : null,
        samples.traceUrlTemplate ? null : h('p', { class: 'muted' }, 'Set traceUrlTemplate (per SLO or Slos:TraceUrlTemplate) to link trace ids to your tracing system.'));
      replace(deploys, deployTable(releases.deploys ?? []));
      distributionSection.hidden = !isLatency;
      if (isLatency) replace(distribution, histogramBars(await getJson(path('latency-histogram', { window: chosen }))));
      charts ??= createCharts(chartArea, slo, isLatency);
      const markers = (releases.deploys ?? []).map((d) => ({ at: Date.parse(d.at) / 1000, label: d.version }));
      charts.burn.setData(history.times, burnWindows.map((w) => history.burnRates[w] ?? history.times.map(() => null)), history.range);
      charts.sli.setData(history.times, [history.sli], history.range);
      charts.latency?.setData(history.times, ['p50', 'p95', 'p99'].map((q) => history.latency?.[q] ?? history.times.map(() => null)), history.range);
      [charts.burn, charts.sli, charts.latency].forEach((c) => c?.setMarkers(markers));
    },
  };
}

function drawHeader(header, slo, attribution) {
  replace(header,
    h('h1', {}, `Debug: ${slo.name} `, stateBadge(slo.status?.state ?? 'nodata')),
    h('p', { class: 'meta' },
      h('span', {}, 'Service ', h('strong', {}, slo.service)),
      h('span', { id: 'debug-counts' }, `${count(attribution.badEvents)} bad of ${count(attribution.totalEvents)} events in the last ${attribution.window}`),
      attribution.goodSampleEvery > 1 ? h('span', { class: 'muted' }, `good events sampled 1 in ${attribution.goodSampleEvery}`) : null),
    h('p', { class: 'links' }, h('a', { href: `/ui/slos/${encodeURIComponent(slo.name)}`, id: 'slo-page-link' }, 'SLO page'), h('a', { href: '/ui/oncall' }, 'On-call')));
}

// Two bars per value: its share of the bad events and its share of the traffic.
function shares(value) {
  const bar = (kind, ratio) => h('div', { class: `share share-${kind}`, title: `${percent(ratio, 1)} of ${kind === 'bad' ? 'bad events' : 'traffic'}` },
    h('div', { class: 'share-fill', style: `width: ${Math.max(0, Math.min(1, ratio ?? 0)) * 100}%` }),
    h('span', { class: 'share-text' }, `${percent(ratio, 1)} ${kind === 'bad' ? 'of bad' : 'of traffic'}`));
  return h('div', { class: 'shares' }, bar('bad', value.badShare), bar('traffic', value.trafficShare));
}

function topTable(attribution) {
  if (attribution.enabled === false) return h('p', { class: 'muted empty' }, 'Attribution is off (Slos:Attribution:Enabled).');
  return table({
    columns: ['Attribute', 'Value', 'Bad vs traffic', 'Bad events', 'Events'],
    empty: 'Nothing stands out: no value holds more of the bad events than of the traffic.',
    attributes: { id: 'top-attribution' },
    rows: (attribution.top ?? []).map((v) => valueRow(v, true)),
  });
}

function valueRow(v, withKey) {
  return h('tr', { 'data-key': v.key, 'data-value': v.value, 'data-bad-share': v.badShare, 'data-traffic-share': v.trafficShare },
    withKey ? h('td', {}, h('code', {}, v.key)) : null,
    h('td', { class: 'value' }, v.value),
    h('td', {}, shares(v)),
    h('td', { class: 'num' }, count(v.badEvents), v.badEventsError > 0 ? h('span', { class: 'muted' }, ` (±${count(v.badEventsError)})`) : null),
    h('td', { class: 'num' }, count(v.events)));
}

function keyTable(key) {
  return h('div', { class: 'attribution-key', 'data-key': key.key },
    h('h3', {}, h('code', {}, key.key)),
    table({ columns: ['Value', 'Bad vs traffic', 'Bad events', 'Events'], empty: 'No bad events.', rows: key.values.map((v) => valueRow(v, false)) }));
}

function exemplarTable(list, id, empty) {
  return table({
    columns: ['Ended', 'Duration', 'Status', 'Attributes', 'Trace'],
    empty,
    attributes: { id },
    rows: list.map((e) => h('tr', { 'data-trace-id': e.traceId ?? '' },
      h('td', {}, time(e.time)),
      h('td', { class: 'num' }, latency(e.durationSeconds)),
      h('td', {}, e.status),
      h('td', { class: 'attributes' }, Object.entries(e.attributes ?? {}).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`))),
      h('td', {}, e.traceUrl ? h('a', { href: e.traceUrl, rel: 'noopener', target: '_blank', class: 'trace-link' }, `${(e.traceId ?? '').slice(0, 12)}… ↗`)
        : h('code', {}, e.traceId ?? '–')))),
  });
}

// The window's latency values as bars on a log scale of latency, slow ones (above the threshold) marked, and the
// threshold drawn where the slow bins begin.
function histogramBars(histogram) {
  const bins = histogram.bins ?? [];
  if (bins.length === 0) return h('p', { class: 'muted empty' }, `No latency values in the last ${histogram.window}.`);
  const highest = Math.max(...bins.map((b) => b.count), 1);
  const firstSlow = bins.findIndex((b) => b.aboveThreshold);
  const bars = [];
  bins.forEach((b, i) => {
    if (i === firstSlow) bars.push(h('div', { class: 'threshold-line', id: 'threshold-line', title: `threshold ${latency(histogram.threshold)}` }));
    bars.push(h('div', { class: `bin${b.aboveThreshold ? ' slow' : ''}`, 'data-count': b.count, 'data-slow': String(b.aboveThreshold),
      title: `${latency(b.lower)} – ${latency(b.upper)}: ${count(b.count)}` },
    h('div', { class: 'bin-fill', style: `height: ${(b.count / highest) * 100}%` })));
  });
  const slow = bins.filter((b) => b.aboveThreshold).reduce((sum, b) => sum + b.count, 0);
  return [
    h('div', { class: 'histogram', id: 'latency-histogram', 'data-bins': bins.length }, bars),
    h('p', { class: 'histogram-axis' }, h('span', {}, latency(bins[0].lower)), h('span', {}, latency(bins[bins.length - 1].upper))),
    h('p', { class: 'muted' }, `${count(histogram.count)} values in the last ${histogram.window}; ${count(slow)} in bins above the threshold `
      + `${latency(histogram.threshold)} (dashed line); bin bounds within ±${percent(histogram.relativeError, 1)}.`),
  ];
}

function deployTable(list) {
  return table({
    columns: ['Version', 'First seen'],
    empty: 'No new service.version seen since the service started.',
    attributes: { id: 'deploy-table' },
    rows: [...list].reverse().map((d) => h('tr', { 'data-version': d.version }, h('td', {}, d.version), h('td', {}, time(d.at)))),
  });
}

function createCharts(area, slo, isLatency) {
  const box = (id, caption) => {
    const figure = h('figure', { class: 'chart', id }, h('figcaption', {}, caption), h('div', { class: 'chart-body' }));
    area.append(figure);
    return figure.querySelector('.chart-body');
  };
  const threshold = slo.sli?.threshold;
  return {
    burn: lineChart(box('debug-burn-chart', 'Burn rate per window (log scale); deploys as vertical lines'),
      { series: burnWindows.map((w) => ({ label: w })), format: burn, logFloor: 0.01, height: 260 }),
    sli: lineChart(box('debug-sli-chart', 'SLI; deploys as vertical lines'), { series: [{ label: 'SLI', stroke: '#009e73' }], format: (v) => percent(v, 2) }),
    latency: isLatency
      ? lineChart(box('debug-latency-chart', `Latency percentiles against the threshold ${latency(threshold)} (dashed)`),
        { series: ['p50', 'p95', 'p99'].map((label) => ({ label, spanGaps: true })), thresholds: threshold ? [{ label: 'threshold', value: threshold }] : [], format: latency })
      : null,
  };
}
