import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historyRange, readBurndown, readHistory } from '../src/lib/history.js';

test("a latency SLO's history gives one percentile column per quantile and the window they cover", () => {
  const body = {
    latencyWindow: 300,
    points: [
      { time: '2026-03-10T12:00:00Z', sli: 1, burnRates: { '5m': 0 }, latency: { p50: 0.1, p95: 0.3, p99: null } },
      { time: '2026-03-10T12:01:00Z', sli: 0.5, burnRates: { '5m': 2 }, latency: { p50: 0.2, p95: 0.4, p99: 0.9 } },
    ],
  };
  const history = readHistory(body);
  assert.deepEqual(history.times, [1773144000, 1773144060]);
  assert.deepEqual(history.latency, { p50: [0.1, 0.2], p95: [0.3, 0.4], p99: [null, 0.9] });
  assert.equal(history.latencyWindow, 300);
});

test('a history without latency has no percentile columns', () => {
  const history = readHistory({ points: [{ time: '2026-03-10T12:00:00Z', sli: 1, burnRates: {} }] });
  assert.equal(history.latency, null);
  assert.equal(history.latencyWindow, null);
});

test('the last point of a history request falls on now', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const { from, to, step } = historyRange(now, 6 * 3600);
  assert.equal(step, 90);
  assert.equal(to, now.toISOString());
  assert.equal((Date.parse(to) - Date.parse(from)) / 1000 % step, 0);
});

test('a burn-down spans the whole SLO window and keeps points without a budget as gaps', () => {
  const burndown = readBurndown({
    from: '2026-02-08T12:00:00Z',
    to: '2026-03-10T12:00:00Z',
    points: [
      { time: '2026-02-08T12:00:00Z', errorBudgetRemainingRatio: 1 },
      { time: '2026-02-23T12:00:00Z', errorBudgetRemainingRatio: null },
      { time: '2026-03-10T12:00:00Z', errorBudgetRemainingRatio: 0.25 },
    ],
  });
  assert.deepEqual(burndown.range, [1770552000, 1773144000]);
  assert.deepEqual(burndown.times, [1770552000, 1771848000, 1773144000]);
  assert.deepEqual(burndown.budgetRemaining, [1, null, 0.25]);
});
