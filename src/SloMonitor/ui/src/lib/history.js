// Asks for, and reads, the time series behind an SLO's charts (GET /api/v1/slos/{name}/history).
import { apiPath, getJson } from './api.js';
import { burnWindows } from './burn.js';

const points = 240;

/**
 * The query for the last `seconds` up to `now`: a step in seconds giving about 240 points (never under 10 s), and
 * `from` a whole number of steps before `now`, so that the last point falls on `now` itself.
 */
export function historyRange(now, seconds) {
  const step = Math.max(10, Math.ceil(seconds / points));
  const span = Math.max(step, Math.floor(seconds / step) * step);
  return { from: new Date(now.getTime() - span * 1000).toISOString(), to: now.toISOString(), step };
}

// How far back each SLO's history reaches (the service says so in `earliest`), learned from earlier answers.
const reach = new Map();

/**
 * Reads the last `seconds` of an SLO's history. The service keeps a limited past and starts older requests at its
 * earliest point; the request is then made again within that reach, so the points still end at `now`.
 */
export async function loadHistory(name, now, seconds) {
  const ask = (span) => getJson(apiPath(`slos/${encodeURIComponent(name)}/history`, historyRange(now, span)));
  const known = reach.get(name);
  let body = await ask(Math.min(seconds, known ?? seconds));
  if (body?.earliest) {
    const available = Math.floor((now.getTime() - Date.parse(body.earliest)) / 1000);
    reach.set(name, available);
    if (known === undefined && available > 0 && available < seconds) body = await ask(available);
  }
  // Charts span what the service can answer for: the requested time, or less when it keeps less.
  const span = Math.min(seconds, reach.get(name) ?? seconds);
  return { ...readHistory(body), range: [now.getTime() / 1000 - span, now.getTime() / 1000] };
}

/**
 * Turns the API's points into columns for the charts: times in epoch seconds, and for each series one value per
 * time (null where the service had no data). Latency SLOs' points carry p50/p95/p99 in seconds.
 */
export function readHistory(body) {
  const rows = body?.points ?? [];
  const column = (pick) => rows.map((p) => finite(pick(p)));
  const hasLatency = rows.some((p) => p.latency);
  return {
    times: rows.map((p) => new Date(p.time ?? p.at).getTime() / 1000),
    sli: column((p) => p.sli),
    budgetRemaining: column((p) => p.errorBudgetRemainingRatio ?? p.budgetRemainingRatio ?? p.budgetRemaining),
    burnRates: Object.fromEntries(burnWindows.map((w) => [w, column((p) => p.burnRates?.[w])])),
    latency: hasLatency ? Object.fromEntries(['p50', 'p95', 'p99'].map((q) => [q, column((p) => p.latency?.[q])])) : null,
    // Latency SLOs: each point's percentiles cover this many seconds before it.
    latencyWindow: finite(body?.latencyWindow),
  };
}

const finite = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * The error budget of the SLO window ending now, spent from the window's start (GET /api/v1/slos/{name}/burndown):
 * times in epoch seconds, the budget remaining after each point, and the chart range (the whole window).
 */
export async function loadBurndown(name) {
  return readBurndown(await getJson(apiPath(`slos/${encodeURIComponent(name)}/burndown`)));
}

export function readBurndown(body) {
  const rows = body?.points ?? [];
  const times = rows.map((p) => Date.parse(p.time) / 1000);
  const from = Date.parse(body?.from) / 1000;
  const to = Date.parse(body?.to) / 1000;
  return {
    times,
    budgetRemaining: rows.map((p) => finite(p.errorBudgetRemainingRatio)),
    range: Number.isFinite(from) && Number.isFinite(to) ? [from, to] : [times[0] ?? 0, times.at(-1) ?? 0],
  };
}
