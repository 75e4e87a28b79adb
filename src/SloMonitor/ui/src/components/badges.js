// Small visual pieces. Every colour comes with a shape and a word, so nothing relies on red/green alone.
import { h } from '../lib/dom.js';
import { burn, percent } from '../lib/format.js';

const states = {
  ok: { icon: '✓', text: 'OK' },
  ticket: { icon: '◆', text: 'Ticket' },
  page: { icon: '▲', text: 'Page' },
  nodata: { icon: '○', text: 'No data' },
  error: { icon: '✕', text: 'Error' },
};

export function stateBadge(state) {
  const known = states[state] ?? { icon: '?', text: state ?? 'unknown' };
  return h('span', { class: `badge state-${states[state] ? state : 'unknown'}`, 'data-state': state },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, known.icon), known.text);
}

export function severityBadge(severity) {
  const icon = severity === 'page' ? '▲' : severity === 'ticket' ? '◆' : '●';
  return h('span', { class: `badge severity-${severity}`, 'data-severity': severity },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), severity ?? 'none');
}

export function incidentStateBadge(state) {
  const icon = { triggered: '●', open: '●', acknowledged: '◐', resolved: '✓' }[state] ?? '?';
  return h('span', { class: `badge incident-${state}`, 'data-incident-state': state },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), state);
}

/** Error budget remaining as a bar; below a quarter the bar is striped, at or below zero it says "exhausted". */
export function budgetBar(ratio) {
  if (ratio === null || ratio === undefined) return h('span', { class: 'muted' }, 'no data');
  const level = ratio <= 0 ? 'exhausted' : ratio < 0.25 ? 'low' : ratio < 0.5 ? 'half' : 'healthy';
  const width = Math.max(0, Math.min(1, ratio)) * 100;
  return h('div', { class: `budget budget-${level}`, role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': Math.round(ratio * 100), 'aria-label': 'error budget remaining', title: `${percent(ratio, 2)} of the error budget remains` },
  h('div', { class: 'budget-track' }, h('div', { class: 'budget-fill', style: `width:${width}%` })),
  h('span', { class: 'budget-text' }, ratio <= 0 ? `exhausted (${percent(ratio, 1)})` : percent(ratio, 1)));
}

/** One window pair: "1h 15.2× · 5m 20.1×" marked firing (both above), warm (one above) or calm. */
export function burnPair(pair) {
  const mood = pair.firing ? `firing firing-${pair.severity}` : pair.above === 1 ? 'warm' : 'calm';
  const marker = pair.firing ? (pair.severity === 'page' ? '▲' : '◆') : pair.above === 1 ? '△' : '';
  const cell = (window, rate) => h('span', { class: rate !== null && rate > pair.threshold ? 'over' : '' },
    h('span', { class: 'window' }, window), ' ', burn(rate));
  return h('span', { class: `pair ${mood}`, 'data-pair': `${pair.long}/${pair.short}`, 'data-firing': String(pair.firing),
    title: `${pair.severity} when both ${pair.long} and ${pair.short} burn faster than ${pair.threshold}×` },
  marker ? h('span', { class: 'icon', 'aria-hidden': 'true' }, marker) : null,
  cell(pair.long, pair.longRate), ' · ', cell(pair.short, pair.shortRate),
  h('span', { class: 'threshold' }, ` >${pair.threshold}`));
}
