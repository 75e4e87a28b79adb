import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burn, latency, parseDuration, percent, span } from '../src/lib/format.js';

test('percentages keep the significant decimals of an objective', () => {
  assert.equal(percent(0.999), '99.9%');
  assert.equal(percent(0.99951), '99.951%');
  assert.equal(percent(null), '–');
});

test('burn rates read as multiples, with more decimals when slow', () => {
  assert.equal(burn(14.4), '14.4×');
  assert.equal(burn(0.034), '0.03×');
  assert.equal(burn(500), '500×');
  assert.equal(burn(undefined), '–');
});

test('latencies in seconds show as milliseconds below one second', () => {
  assert.equal(latency(0.0123), '12.3 ms');
  assert.equal(latency(1.5), '1.5 s');
});

test('durations parse as the API writes windows and reject anything else', () => {
  assert.equal(parseDuration('5m'), 300);
  assert.equal(parseDuration('30d'), 2592000);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('month'), null);
  assert.equal(parseDuration('5 m'), null);
});

test('ages show their two largest units', () => {
  assert.equal(span(3725), '1h 2m');
  assert.equal(span(42), '42s');
  assert.equal(span(90061), '1d 1h');
});
