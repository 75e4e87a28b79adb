// Asks for, and reads, the time series behind an SLO's charts (GET /api/v1/slos/{name}/history).
import { burnWindows } from './burn.js';

const points = 240;

/** The query for the last `seconds` up to `now`, with a step in seconds giving about 240 points (never under 10 s). */
export function historyRange(now, seconds) {
  const step = Math.max(10, Math.ceil(seconds / points));
  return { from: new Date(now.getTime() - seconds * 1000).toISOString(), to: now.toISOString(), step };
}

/**
 * Turns the API's points into columns for the charts: times in epoch seconds, and for each series one value per
 * time (null where the service had no data).
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
  };
}

const finite = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
