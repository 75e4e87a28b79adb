// Timelines: an incident's (opened, acknowledged, comments, notifications) and an SLO's (definition changes, budget
// adjustments, gate overrides of its service, its incidents), oldest first.
import { h } from '../lib/dom.js';
import { labelPairs, time } from '../lib/format.js';

export function timelineList(entries, now) {
  if (entries.length === 0) return h('p', { class: 'muted empty' }, 'Nothing has happened yet.');
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return h('ol', { class: 'timeline' }, sorted.map((e) => h('li', { 'data-kind': e.kind },
    h('time', { datetime: e.at }, time(e.at, now)),
    h('span', { class: `kind kind-${e.kind}` }, kindNames[e.kind] ?? e.kind.replaceAll('_', ' ')),
    e.actor ? h('strong', { class: 'actor' }, e.actor) : null,
    h('span', { class: 'details' }, describe(e.details)))));
}

const kindNames = { created: 'opened', acked: 'acknowledged', unacked: 'unacknowledged', notify_failed: 'notification failed' };

// Timeline details are free-form objects: a comment's text as is, otherwise "key: value" with labels as k=v.
export function describe(details) {
  if (details === null || details === undefined || details === '') return '';
  if (typeof details !== 'object') return String(details);
  if (typeof details.text === 'string') return details.text;
  const value = (v) => {
    if (Array.isArray(v)) return v.join(', ');
    if (v && typeof v === 'object') return labelPairs(v).join(' ');
    return String(v);
  };
  return Object.entries(details).filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}: ${value(v)}`).join(' · ');
}

const actionNames = {
  'slo.created': 'SLO created', 'slo.changed': 'definition changed', 'slo.deleted': 'SLO deleted',
  'slo.adjustment.created': 'budget adjustment declared', 'slo.adjustment.deleted': 'budget adjustment removed',
  'gate.override.created': 'gate override', 'gate.override.removed': 'gate override removed',
  'incident.opened': 'incident opened', 'incident.acknowledged': 'incident acknowledged', 'incident.resolved': 'incident resolved',
};

// What each kind of SLO entry says besides its action: a definition's whole JSON is left out (the API has it).
function sloDetails(e, now) {
  const d = e.details ?? {};
  if (e.kind === 'adjustment') return d.reason ? `${d.reason} (${time(d.from, now)} – ${time(d.to, now)})` : describe(d);
  if (e.kind === 'gate') return d.reason ? `${d.reason}${d.expiresAt ? `, until ${time(d.expiresAt, now)}` : ''}` : describe(d);
  if (e.kind === 'incident') return d.title ? `${d.title} (${d.severity})` : '';
  return '';
}

export function sloTimelineList(entries, now) {
  if (entries.length === 0) return h('p', { class: 'muted empty' }, 'No change, adjustment, override or incident yet.');
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return h('ol', { class: 'timeline', id: 'slo-timeline-list' }, sorted.map((e) => h('li', { 'data-kind': e.kind, 'data-action': e.action },
    h('time', { datetime: e.at }, time(e.at, now)),
    h('span', { class: `kind kind-${e.kind}` }, actionNames[e.action] ?? e.action),
    e.actor ? h('strong', { class: 'actor' }, e.actor) : null,
    h('span', { class: 'details' }, sloDetails(e, now)),
    e.incidentUrl ? h('a', { href: e.incidentUrl }, `incident ${e.incident}`) : null)));
}
