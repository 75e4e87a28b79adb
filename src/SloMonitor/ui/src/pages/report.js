// The compliance report: per SLO over a calendar month (or any range), how it did against its objective, what it
// spent, and the incidents it caused; a summary per team. Prints cleanly and downloads as CSV.
import { apiPath, getJson, getText } from '../lib/api.js';
import { h, replace, section, table } from '../lib/dom.js';
import { count, percent, span } from '../lib/format.js';

export function mount(root) {
  const params = new URLSearchParams(window.location.search);
  const now = new Date();
  const month = h('input', { id: 'report-month', name: 'month', type: 'month', value: params.get('month') ?? `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}` });
  const service = h('input', { id: 'report-service', name: 'service', type: 'text', value: params.get('service') ?? '', placeholder: 'all services' });
  const team = h('input', { id: 'report-team', name: 'team', type: 'text', value: params.get('team') ?? '', placeholder: 'all teams' });
  const heading = h('p', { class: 'muted', id: 'report-range' });
  const warnings = h('div', {});
  const teams = h('div', {});
  const slos = h('div', {});
  const query = () => ({ month: month.value, service: service.value.trim(), team: team.value.trim() });
  let changed = () => {};
  const apply = (e) => {
    e.preventDefault();
    const q = new URLSearchParams(Object.entries(query()).filter(([, v]) => v));
    window.history.replaceState(null, '', `/ui/reports?${q}`);
    changed();
  };
  const download = async () => {
    const csv = await getText(apiPath('reports', { ...query(), format: 'csv' }), 'text/csv');
    // A blob: address made here, not from the data, so it is set directly (h() only takes http(s) and UI links).
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    link.download = `slo-report-${month.value}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  replace(root,
    h('h1', {}, 'SLO report'),
    h('form', { id: 'report-form', class: 'panel filters no-print', onsubmit: apply },
      h('label', {}, 'Month ', month), h('label', {}, 'Service ', service), h('label', {}, 'Team ', team),
      h('button', { type: 'submit' }, 'Show'),
      h('button', { type: 'button', id: 'report-csv', onclick: download }, 'Download CSV'),
      h('button', { type: 'button', id: 'report-print', onclick: () => window.print() }, 'Print')),
    heading, warnings,
    section('Teams', { id: 'report-teams' }, teams),
    section('SLOs', { id: 'report-slos' }, slos));

  return {
    async refresh() {
      const report = await getJson(apiPath('reports', query()));
      replace(heading, `${new Date(report.from).toISOString().slice(0, 10)} to ${new Date(report.to).toISOString().slice(0, 16).replace('T', ' ')} UTC, generated ${new Date(report.generatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
      replace(warnings, report.warnings.map((w) => h('p', { class: 'message warning', role: 'note' }, w)));
      replace(teams, teamTable(report.teams));
      replace(slos, sloTable(report.slos));
    },
    onChange(listener) { changed = listener; },
  };
}

function teamTable(teams) {
  return table({
    columns: ['Team', 'SLOs', 'Met', 'Missed', 'No data', 'Alerts', 'Incidents'],
    empty: 'No SLOs.',
    attributes: { id: 'team-table' },
    rows: teams.map((t) => h('tr', { 'data-team': t.team ?? '' },
      h('td', {}, t.team ?? h('span', { class: 'muted' }, 'no team label')),
      [t.slos, t.met, t.missed, t.noData, t.alerts, t.incidents].map((v) => h('td', { class: 'num' }, count(v))))),
  });
}

function sloTable(rows) {
  return table({
    columns: ['SLO', 'Service', 'Team', 'Objective', 'SLI', 'Met', 'Budget consumed', 'Events (bad)', 'Adjusted', 'Alerts', 'Incidents', 'Ack median / worst', 'Resolve median / worst'],
    empty: 'No SLOs match.',
    attributes: { id: 'report-table' },
    rows: rows.map((r) => h('tr', { 'data-slo': r.slo, 'data-met': String(r.objectiveMet) },
      h('td', { class: 'name' }, h('a', { href: `/ui/slos/${encodeURIComponent(r.slo)}` }, r.slo), r.complete ? null : h('span', { class: 'muted', title: `the series hold data from ${r.dataFrom}` }, ' (partial)')),
      h('td', {}, r.service),
      h('td', {}, r.team ?? '–'),
      h('td', { class: 'num' }, percent(r.objective / 100)),
      h('td', { class: 'num' }, percent(r.sli)),
      h('td', {}, r.objectiveMet === null ? h('span', { class: 'muted' }, 'no data') : r.objectiveMet ? h('span', { class: 'met' }, '✓ met') : h('span', { class: 'missed' }, '✗ missed')),
      h('td', { class: 'num' }, percent(r.budgetConsumedRatio, 1)),
      h('td', { class: 'num' }, `${count(r.totalEvents)} (${count(r.badEvents)})${r.unit === 'slices' ? ' slices' : ''}`),
      h('td', { class: 'num' }, r.adjustments.ranges ? `${r.adjustments.ranges} · ${span(r.adjustments.seconds)}` : '–'),
      h('td', { class: 'num' }, count(r.alerts)),
      h('td', { class: 'num' }, count(r.incidents?.count)),
      h('td', { class: 'num' }, pair(r.incidents?.timeToAcknowledge)),
      h('td', { class: 'num' }, pair(r.incidents?.timeToResolve)))),
  });
}

const pair = (times) => (times?.medianSeconds == null ? '–' : `${span(times.medianSeconds)} / ${span(times.worstSeconds)}`);
