import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byBudgetRemaining, objectiveRatio, pairsFor, readPair } from '../src/lib/burn.js';

test('a 30-day window keeps the SRE Workbook thresholds', () => {
  assert.deepEqual(pairsFor('30d').map((p) => p.threshold), [14.4, 6, 3, 1]);
});

test('other windows keep the Workbook burn rates and scale the windows, as the service does', () => {
  assert.deepEqual(pairsFor('7d').map((p) => [p.long, p.short, p.threshold]),
    [['14m', '70s', 14.4], ['84m', '7m', 6], ['336m', '28m', 3], ['1008m', '84m', 1]]);
  assert.deepEqual(pairsFor('28d').map((p) => [p.long, p.short]), [['56m', '280s'], ['336m', '28m'], ['1344m', '112m'], ['4032m', '336m']]);
  assert.deepEqual(pairsFor('month').map((p) => p.threshold), [14.4, 6, 3, 1]);
});

test('rules given by the API are used as they are', () => {
  assert.deepEqual(pairsFor('7d', [{ severity: 'page', longWindow: '2h', shortWindow: '10m', threshold: 10 }]),
    [{ severity: 'page', long: '2h', short: '10m', threshold: 10 }]);
});

test('a pair fires only when both windows burn faster than its threshold', () => {
  const [page] = pairsFor('30d');
  const status = (long, short) => ({ windows: { '1h': { burnRate: long }, '5m': { burnRate: short } }, alerts: [] });
  assert.equal(readPair(status(20, 30), page).firing, true);
  assert.equal(readPair(status(20, 3), page).firing, false);
  assert.equal(readPair(status(20, 3), page).above, 1);
  assert.equal(readPair(status(null, null), page).above, 0);
});

test("an active alert's own threshold wins over the computed one", () => {
  const [page] = pairsFor('30d');
  const status = { windows: { '1h': { burnRate: 9 }, '5m': { burnRate: 9 } }, alerts: [{ longWindow: '1h', shortWindow: '5m', threshold: 8 }] };
  assert.equal(readPair(status, page).threshold, 8);
  assert.equal(readPair(status, page).firing, true);
});

test('SLOs sort by budget remaining, least first, those without data last', () => {
  const slo = (name, ratio) => ({ name, status: ratio === null ? { state: 'nodata' } : { errorBudget: { remainingRatio: ratio } } });
  const sorted = [slo('b', 0.5), slo('none', null), slo('a', -2), slo('c', 0.5)].sort(byBudgetRemaining);
  assert.deepEqual(sorted.map((s) => s.name), ['a', 'b', 'c', 'none']);
});

test('objectives read the same as a ratio or as a percentage', () => {
  assert.ok(Math.abs(objectiveRatio({ objective: 99.9 }) - 0.999) < 1e-12);
  assert.equal(objectiveRatio({ objective: 0.999 }), 0.999);
});
