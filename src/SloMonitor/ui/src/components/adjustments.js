// Budget adjustments of one SLO: the ranges taken out of its budget (listed, each removable) and a form to declare a
// new one — a planned maintenance, a recurring window or a dependency's outage (a selector over the SLO's groupBy).
import { apiPath, deleteJson, postJson } from '../lib/api.js';
import { h, replace, table } from '../lib/dom.js';
import { parseDuration, time } from '../lib/format.js';

/** The occurrences of each adjustment as { from, to } in epoch seconds, for shading the charts. */
export function adjustmentBands(adjustments) {
  const bands = [];
  for (const a of adjustments) {
    const from = Date.parse(a.from) / 1000;
    const length = Date.parse(a.to) / 1000 - from;
    const every = a.recurrence ? parseDuration(a.recurrence.every) : null;
    const until = a.recurrence ? Date.parse(a.recurrence.until) / 1000 : from + 1;
    for (let start = from; start < until && bands.length < 5000; start += every ?? Infinity) {
      bands.push({ from: start, to: start + length, id: a.id });
    }
  }
  return bands;
}

/** The panel: `show(adjustments, now)` draws the list; `onChange` is called after a create or a delete. */
export function adjustmentPanel(name, onChange) {
  const list = h('div', {});
  const message = h('p', { class: 'message', role: 'status', id: 'adjustment-message' });
  const field = (label, input) => h('label', {}, label, input);
  const from = h('input', { type: 'datetime-local', id: 'adjustment-from', required: true });
  const to = h('input', { type: 'datetime-local', id: 'adjustment-to', required: true });
  const reason = h('input', { type: 'text', id: 'adjustment-reason', required: true, maxlength: '1000', placeholder: 'planned database maintenance' });
  const selector = h('input', { type: 'text', id: 'adjustment-selector', placeholder: 'peer.service="bank" (optional)' });
  const every = h('input', { type: 'text', id: 'adjustment-every', size: '5', placeholder: '7d' });
  const repeat = h('input', { type: 'number', id: 'adjustment-count', min: '1', size: '4', placeholder: '4' });
  const submit = h('button', { type: 'submit', id: 'adjustment-create' }, 'Take out of the budget');
  const form = h('form', { class: 'adjustment-form', id: 'adjustment-form', onsubmit: (e) => { e.preventDefault(); create(); } },
    field('From ', from), field('To ', to), field('Reason ', reason), field('Only events matching ', selector),
    field('Repeat every ', every), field(' times ', repeat), submit);

  function say(text, failed = false) {
    message.textContent = text;
    message.classList.toggle('failing', failed);
  }

  // datetime-local holds the browser's local time without a zone; Date reads it as local time.
  const instant = (input) => new Date(input.value).toISOString();

  async function create() {
    if (!from.value || !to.value || !reason.value.trim()) {
      say('Give a start, an end and a reason.', true);
      return;
    }
    const body = { from: instant(from), to: instant(to), reason: reason.value.trim() };
    if (selector.value.trim()) body.selector = selector.value.trim();
    if (every.value.trim()) body.recurrence = { every: every.value.trim(), count: Number(repeat.value || 1) };
    submit.disabled = true;
    try {
      const created = await postJson(apiPath(`slos/${encodeURIComponent(name)}/adjustments`), body);
      say(`Adjustment ${created.id} declared: its events no longer count against the budget.`);
      reason.value = '';
      selector.value = '';
      await onChange();
    } catch (error) {
      say(`Could not declare the adjustment: ${error.message}`, true);
    } finally {
      submit.disabled = false;
    }
  }

  async function remove(id) {
    try {
      await deleteJson(apiPath(`slos/${encodeURIComponent(name)}/adjustments/${id}`));
      say(`Adjustment ${id} removed: its events count against the budget again.`);
      await onChange();
    } catch (error) {
      say(`Could not remove adjustment ${id}: ${error.message}`, true);
    }
  }

  return {
    element: h('div', {}, list, form, message),
    /** `adjustments` is null when they could not be read (the database is away): the form stays. */
    show(adjustments, now) {
      if (adjustments === null) {
        replace(list, h('p', { class: 'muted' }, 'The adjustments could not be read just now.'));
        return;
      }
      replace(list, table({
        columns: ['From', 'To', 'Repeats', 'Only', 'Reason', 'Declared by', ''],
        empty: 'No adjustment: every event counts against the budget.',
        attributes: { id: 'adjustment-table' },
        rows: adjustments.map((a) => h('tr', { 'data-adjustment': a.id },
          h('td', {}, time(a.from, now)), h('td', {}, time(a.to, now)),
          h('td', {}, a.recurrence ? `every ${a.recurrence.every}, ${a.recurrence.occurrences} times` : '–'),
          h('td', { class: 'labels' }, a.selector ?? 'all events'),
          h('td', {}, a.reason, a.incidentUrl ? [' ', h('a', { href: a.incidentUrl }, `incident ${a.incident}`)] : null),
          h('td', {}, a.author),
          h('td', {}, h('button', { type: 'button', class: 'delete-adjustment', onclick: () => remove(a.id) }, 'Remove')))),
      }));
    },
  };
}
