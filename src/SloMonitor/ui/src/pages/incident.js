// One incident: what fired, what happened since (timeline), and the buttons to acknowledge, resolve and comment.
import { apiPath, getJson, postJson } from '../lib/api.js';
import { h, replace, section, table } from '../lib/dom.js';
import { age, labelPairs, time } from '../lib/format.js';
import { timelineList } from '../components/timeline.js';
import { incidentStateBadge, severityBadge } from '../components/badges.js';
import { session } from '../lib/session.js';

export function mount(root, id) {
  let incident = null;
  let refreshNow = async () => {};
  const header = h('div', { class: 'page-header' });
  const timeline = h('div', {});
  const alerts = h('div', {});
  const message = h('p', { class: 'message', role: 'alert', id: 'action-message' });

  const comment = h('textarea', { id: 'comment', name: 'comment', rows: 3, placeholder: 'What did you find or do?' });
  const ackButton = h('button', { type: 'button', id: 'ack', onclick: () => act('ack', 'acknowledged') }, '◐ Acknowledge');
  const resolveButton = h('button', { type: 'button', id: 'resolve', onclick: () => act('resolve', 'resolved') }, '✓ Resolve');
  const commentButton = h('button', { type: 'submit', id: 'add-comment' }, 'Add comment');
  const actions = h('form', { class: 'actions', onsubmit: (e) => { e.preventDefault(); addComment(); } },
    h('div', { class: 'buttons' }, ackButton, resolveButton),
    h('label', { class: 'comment' }, 'Comment', comment),
    h('div', { class: 'buttons' }, commentButton),
    message);

  replace(root, header,
    section('Actions', { id: 'actions' }, actions),
    section('Timeline', { id: 'timeline' }, timeline),
    section('Alerts in this incident', { id: 'incident-alerts' }, alerts));

  function say(text, failed = false) {
    message.textContent = text;
    message.classList.toggle('failing', failed);
  }

  async function post(path, body, done) {
    const buttons = [ackButton, resolveButton, commentButton];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await postJson(apiPath(`incidents/${encodeURIComponent(id)}/${path}`), body);
      say(done);
      return true;
    } catch (error) {
      say(`Could not ${path === 'comments' ? 'add the comment' : path}: ${error.message}`, true);
      return false;
    } finally {
      await refreshNow();
    }
  }

  async function act(path, done) {
    await post(path, { version: incident?.version }, `Incident ${done} by ${session.name}.`);
  }

  async function addComment() {
    const text = comment.value.trim();
    if (!text) {
      say('Write a comment first.', true);
      return;
    }
    if (await post('comments', { text }, 'Comment added.')) comment.value = '';
  }

  return {
    onChange(callback) {
      refreshNow = callback;
    },
    async refresh(now) {
      incident = await getJson(apiPath(`incidents/${encodeURIComponent(id)}`));
      drawHeader(header, incident, now);
      ackButton.disabled = incident.state === 'acknowledged' || incident.state === 'resolved';
      resolveButton.disabled = incident.state === 'resolved';
      commentButton.disabled = false;
      replace(timeline, timelineList(incident.timeline ?? [], now));
      replace(alerts, alertTable(incident.alerts ?? [], now));
    },
  };
}

function drawHeader(header, incident, now) {
  replace(header,
    h('h1', {}, incident.title || `Incident ${incident.id}`),
    h('p', { class: 'meta' }, severityBadge(incident.severity), ' ', incidentStateBadge(incident.state),
      h('span', {}, 'Service ', h('strong', {}, incident.service ?? '–')),
      h('span', {}, 'Opened ', h('strong', {}, time(incident.openedAt, now)), ` (${age(incident.openedAt, now)} ago)`),
      incident.acknowledgedBy ? h('span', { id: 'acknowledged-by' }, 'Acknowledged by ', h('strong', {}, incident.acknowledgedBy), ` at ${time(incident.acknowledgedAt, now)}`) : null,
      incident.resolvedAt ? h('span', {}, 'Resolved ', h('strong', {}, time(incident.resolvedAt, now))) : null),
    h('p', { class: 'links' },
      incident.slo ? h('a', { href: `/ui/slos/${encodeURIComponent(incident.slo)}`, id: 'slo-link' }, `SLO ${incident.slo}`) : null,
      incident.slo ? h('a', { href: `/ui/slos/${encodeURIComponent(incident.slo)}/debug`, id: 'debug-link' }, 'What is burning') : null,
      incident.runbookUrl ? h('a', { href: incident.runbookUrl, rel: 'noopener', target: '_blank', id: 'runbook-link' }, 'Runbook ↗') : h('span', { class: 'muted' }, 'No runbook linked'),
      incident.dashboardUrl ? h('a', { href: incident.dashboardUrl, rel: 'noopener', target: '_blank' }, 'Dashboard ↗') : null,
      h('a', { href: '/ui/oncall' }, 'All open incidents')));
}

function alertTable(alerts, now) {
  return table({
    columns: ['Status', 'Alert', 'Labels', 'Started', 'Ended'],
    empty: 'No alerts attached.',
    attributes: { id: 'alert-table' },
    rows: alerts.map((a) => h('tr', { 'data-fingerprint': a.fingerprint },
      h('td', {}, h('span', { class: `badge alert-${a.status}` }, a.status === 'firing' ? '▲ firing' : `✓ ${a.status}`)),
      h('td', {}, h('strong', {}, a.labels?.alertname ?? a.fingerprint), a.annotations?.summary ? h('div', { class: 'muted' }, a.annotations.summary) : null),
      h('td', { class: 'labels' }, labelPairs(a.labels).join(' ')),
      h('td', {}, time(a.startsAt, now)),
      h('td', {}, a.endsAt && !a.endsAt.startsWith('0001') ? time(a.endsAt, now) : '–'))),
  });
}
