// Executive view: every SLO with its budget and burn rates, worst budget first, filterable by service, team and label.
import { loadSlos } from '../lib/slos.js';
import { h, replace, section, table } from '../lib/dom.js';
import { labelPairs, percent } from '../lib/format.js';
import { budgetRemaining, byBudgetRemaining, objectiveRatio, pairsFor, readPair, sliOverWindow, stateOrder } from '../lib/burn.js';
import { budgetBar, burnPair, stateBadge } from '../components/badges.js';

const filterNames = ['service', 'team', 'label'];

export function mount(root) {
  const filters = Object.fromEntries(filterNames.map((n) => [n, new URLSearchParams(window.location.search).get(n) ?? '']));
  let slos = [];

  const controls = h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() });
  const compliance = h('div', { class: 'compliance' });
  const list = h('div', { class: 'slo-list' });
  replace(root,
    h('h1', {}, 'Service level objectives'),
    controls,
    section('Compliance by service', { id: 'compliance' }, compliance),
    section('SLOs, least error budget first', { id: 'slos' }, list));

  function setFilter(name, value) {
    filters[name] = value;
    const params = new URLSearchParams(window.location.search);
    if (value) params.set(name, value);
    else params.delete(name);
    const query = params.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
    draw();
  }

  function draw() {
    drawControls(controls, slos, filters, setFilter);
    const shown = slos.filter((slo) => matches(slo, filters)).sort(byBudgetRemaining);
    replace(compliance, complianceCards(shown));
    replace(list, sloTable(shown, slos.length));
  }

  return {
    async refresh() {
      slos = await loadSlos();
      draw();
    },
  };
}

function matches(slo, filters) {
  if (filters.service && slo.service !== filters.service) return false;
  if (filters.team && slo.labels?.team !== filters.team) return false;
  if (filters.label) {
    const wanted = filters.label.trim();
    const [key, value] = wanted.includes('=') ? wanted.split('=', 2) : [wanted, undefined];
    const actual = slo.labels?.[key.trim()];
    if (actual === undefined || (value !== undefined && actual !== value.trim())) return false;
  }
  return true;
}

function drawControls(form, slos, filters, setFilter) {
  const distinct = (pick) => [...new Set(slos.map(pick).filter(Boolean))].sort();
  const select = (name, label, options) => h('label', {}, label,
    h('select', { name, onchange: (e) => setFilter(name, e.target.value) },
      h('option', { value: '' }, 'all'),
      options.map((o) => h('option', { value: o, selected: o === filters[name] }, o))));
  if (form.childElementCount === 0 || form.dataset.options !== JSON.stringify([distinct((s) => s.service), distinct((s) => s.labels?.team)])) {
    form.dataset.options = JSON.stringify([distinct((s) => s.service), distinct((s) => s.labels?.team)]);
    const labelInput = h('input', { name: 'label', type: 'search', placeholder: 'key=value', value: filters.label,
      oninput: (e) => setFilter('label', e.target.value) });
    replace(form,
      select('service', 'Service', distinct((s) => s.service)),
      select('team', 'Team', distinct((s) => s.labels?.team)),
      h('label', {}, 'Label', labelInput));
  }
}

function complianceCards(slos) {
  const services = new Map();
  for (const slo of slos) {
    const entry = services.get(slo.service) ?? { service: slo.service, total: 0, withData: 0, met: 0, worst: 'nodata' };
    entry.total += 1;
    const sli = sliOverWindow(slo);
    const state = slo.status?.state ?? 'nodata';
    if (sli !== null && state !== 'nodata') {
      entry.withData += 1;
      if (sli >= objectiveRatio(slo)) entry.met += 1;
    }
    if (stateOrder[state] < stateOrder[entry.worst]) entry.worst = state;
    services.set(slo.service, entry);
  }
  if (services.size === 0) return h('p', { class: 'muted empty' }, 'No SLOs match.');
  return [...services.values()].sort((a, b) => stateOrder[a.worst] - stateOrder[b.worst] || a.service.localeCompare(b.service))
    .map((s) => h('div', { class: `card worst-${s.worst}`, 'data-service': s.service },
      h('div', { class: 'card-title' }, s.service, ' ', stateBadge(s.worst)),
      h('div', { class: 'card-value' }, s.withData ? percent(s.met / s.withData, 1) : '–'),
      h('div', { class: 'muted' }, `${s.met} of ${s.withData} SLOs with data meet their objective`,
        s.total > s.withData ? ` (${s.total - s.withData} without data)` : '')));
}

function sloTable(slos, total) {
  return table({
    columns: ['State', 'SLO', 'Service', 'Team', 'Objective', 'SLI over window', 'Error budget remaining',
      'Burn rates: page pairs, then ticket pairs'],
    empty: total === 0 ? 'No SLOs are defined yet.' : 'No SLOs match these filters.',
    attributes: { id: 'slo-table' },
    rows: slos.map((slo) => {
      const status = slo.status ?? {};
      return h('tr', { 'data-slo': slo.name, 'data-state': status.state ?? 'nodata' },
        h('td', {}, stateBadge(status.state ?? 'nodata')),
        h('td', { class: 'name' }, h('a', { href: `/ui/slos/${encodeURIComponent(slo.name)}` }, slo.name),
          h('div', { class: 'labels' }, labelPairs(slo.labels).filter((l) => !l.startsWith('team=')).join(' '))),
        h('td', {}, slo.service),
        h('td', {}, slo.labels?.team ?? '–'),
        h('td', { class: 'num' }, percent(objectiveRatio(slo))),
        h('td', { class: 'num' }, percent(sliOverWindow(slo)), h('span', { class: 'muted' }, ` / ${slo.window}`)),
        h('td', {}, budgetBar(budgetRemaining(status))),
        h('td', {}, h('div', { class: 'pair-grid' }, pairsFor(slo.window, slo.alerting?.rules).map((pair) => burnPair(readPair(status, pair))))));
    }),
  });
}
