// On-call view: open incidents first, then the fastest-burning SLOs and the latency of the services involved.
import { apiPath, getJson } from '../lib/api.js';
import { loadSlos } from '../lib/slos.js';
import { h, replace, section, table } from '../lib/dom.js';
import { age, burn, latency, time } from '../lib/format.js';
import { budgetRemaining, currentBurn } from '../lib/burn.js';
import { budgetBar, incidentStateBadge, severityBadge, stateBadge } from '../components/badges.js';

const severityOrder = { page: 0, ticket: 1 };

export function mount(root) {
  const incidents = h('div', {});
  const burning = h('div', {});
  const latencies = h('div', {});
  const resolved = h('div', {});
  replace(root,
    h('h1', {}, 'On-call'),
    section('Open incidents', { id: 'open-incidents' }, incidents),
    section('Fastest-burning SLOs', { id: 'burning' }, burning),
    section('Latency of the affected services', { id: 'latency' }, latencies),
    section('Recently resolved', { id: 'resolved' }, resolved));

  return {
    async refresh(now) {
      const [all, slos] = await Promise.all([getJson(apiPath('incidents')), loadSlos({ latency: true })]);
      const open = all.filter((i) => i.state !== 'resolved')
        .sort((a, b) => (severityOrder[a.severity] ?? 9) - (severityOrder[b.severity] ?? 9) || Date.parse(a.openedAt) - Date.parse(b.openedAt));
      const fastest = slos.filter((s) => (currentBurn(s.status) ?? 0) > 0)
        .sort((a, b) => currentBurn(b.status) - currentBurn(a.status)).slice(0, 8);
      const affected = new Set([...open.map((i) => i.service), ...fastest.filter((s) => currentBurn(s.status) > 1).map((s) => s.service)]);
      replace(incidents, incidentTable(open, now));
      replace(burning, burningTable(fastest));
      replace(latencies, latencyTable(slos.filter((s) => affected.has(s.service)), affected.size));
      replace(resolved, resolvedList(all.filter((i) => i.state === 'resolved')
        .sort((a, b) => Date.parse(b.resolvedAt) - Date.parse(a.resolvedAt)).slice(0, 5), now));
    },
  };
}

const incidentLink = (i) => h('a', { href: `/ui/incidents/${encodeURIComponent(i.id)}` }, i.title || `Incident ${i.id}`);
const sloLink = (name) => (name
  ? h('span', {}, h('a', { href: `/ui/slos/${encodeURIComponent(name)}` }, name), ' ',
    h('a', { href: `/ui/slos/${encodeURIComponent(name)}/debug`, class: 'debug-link', title: 'What is burning, and why' }, '(debug)'))
  : '–');

function incidentTable(open, now) {
  return table({
    columns: ['Severity', 'Incident', 'Service', 'SLO', 'Age', 'State', 'Acknowledged by'],
    empty: 'No open incidents.',
    attributes: { id: 'incident-table' },
    rows: open.map((i) => h('tr', { 'data-incident': i.id, 'data-state': i.state },
      h('td', {}, severityBadge(i.severity)),
      h('td', {}, incidentLink(i)),
      h('td', {}, i.service ?? '–'),
      h('td', {}, sloLink(i.slo)),
      h('td', { class: 'num', title: `opened ${time(i.openedAt, now)}` }, age(i.openedAt, now)),
      h('td', {}, incidentStateBadge(i.state)),
      h('td', {}, i.acknowledgedBy
        ? [h('strong', {}, i.acknowledgedBy), h('span', { class: 'muted' }, ` ${age(i.acknowledgedAt, now)} ago`)]
        : h('span', { class: 'attention' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '!'), ' nobody yet')))),
  });
}

function burningTable(slos) {
  return table({
    columns: ['State', 'SLO', 'Service', 'Burn 5m', 'Burn 1h', 'Burn 6h', 'Budget remaining'],
    empty: 'No SLO is burning its budget.',
    attributes: { id: 'burning-table' },
    rows: slos.map((s) => h('tr', { 'data-slo': s.name },
      h('td', {}, stateBadge(s.status?.state ?? 'nodata')),
      h('td', {}, sloLink(s.name)),
      h('td', {}, s.service),
      ['5m', '1h', '6h'].map((w) => h('td', { class: 'num' }, burn(s.status?.windows?.[w]?.burnRate))),
      h('td', {}, budgetBar(budgetRemaining(s.status))))),
  });
}

function latencyTable(slos, affectedCount) {
  const latencySlos = slos.filter((s) => Object.values(s.status?.windows ?? {}).some((w) => w?.latency));
  return table({
    columns: ['Service', 'SLO', 'p95 (5m)', 'p99 (5m)', 'p95 (1h)', 'p99 (1h)'],
    empty: affectedCount === 0 ? 'No service is affected right now.' : 'The affected services have no latency SLO.',
    attributes: { id: 'latency-table' },
    rows: latencySlos.map((s) => h('tr', { 'data-slo': s.name },
      h('td', {}, s.service), h('td', {}, sloLink(s.name)),
      ['5m', '1h'].flatMap((w) => ['p95', 'p99'].map((q) => h('td', { class: 'num' }, latency(s.status?.windows?.[w]?.latency?.[q])))))),
  });
}

function resolvedList(incidents, now) {
  if (incidents.length === 0) return h('p', { class: 'muted empty' }, 'Nothing resolved recently.');
  return h('ul', { class: 'plain' }, incidents.map((i) => h('li', {}, severityBadge(i.severity), ' ', incidentLink(i),
    h('span', { class: 'muted' }, ` resolved ${age(i.resolvedAt, now)} ago`))));
}
