// The multi-window, multi-burn-rate pairs of the SRE Workbook and how an SLO's status reads against them.
import { parseDuration } from './format.js';

const thirtyDays = 30 * 86400;

/** The SRE Workbook's policy for a 30-day SLO window: 2 %, 5 %, 10 % and 10 % of the budget over the long windows. */
export const basePairs = [
  { severity: 'page', long: '1h', short: '5m', threshold: 14.4, share: 0.02 },
  { severity: 'page', long: '6h', short: '30m', threshold: 6, share: 0.05 },
  { severity: 'ticket', long: '1d', short: '2h', threshold: 3, share: 0.1 },
  { severity: 'ticket', long: '3d', short: '6h', threshold: 1, share: 0.1 },
];

/** The burn-rate windows in chart order, shortest first. */
export const burnWindows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

/**
 * The pairs of an SLO: its alerting rules as the API gives them (windows and thresholds as they run), otherwise
 * the default policy for the SLO's window as the service scales it: the Workbook's burn rates kept, the windows
 * scaled by window/30d (long ones to the minute, short ones to 5 s) and the threshold recomputed from the share.
 */
export function pairsFor(sloWindow, rules) {
  if (rules?.length) {
    return rules.map((r) => ({ severity: r.severity, long: r.longWindow, short: r.shortWindow, threshold: round(r.threshold) }));
  }
  const period = sloWindow === 'month' ? thirtyDays : parseDuration(sloWindow) ?? thirtyDays;
  if (period === thirtyDays) return basePairs.map(({ share, ...pair }) => pair);
  return basePairs.map((pair) => {
    const long = scaled(parseDuration(pair.long) * (period / thirtyDays), 60);
    let short = scaled(parseDuration(pair.short) * (period / thirtyDays), 5);
    if (short >= long) short = long - 5;
    return { severity: pair.severity, long: durationText(long), short: durationText(short), threshold: round((pair.share * period) / long) };
  });
}

const scaled = (seconds, unit) => unit * Math.max(1, Math.round(seconds / unit));

/** A duration in its shortest exact single unit, as the service names windows: 70s, 14m, 5h, 2d. */
export function durationText(seconds) {
  for (const [size, unit] of [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']]) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

const round = (value) => Math.round(value * 1000) / 1000;

/**
 * Reads one pair from a status: the long and short burn rates, the threshold (an active alert's own threshold
 * wins over the computed one) and whether both, one or none of the two windows are above it.
 */
export function readPair(status, pair) {
  const alert = (status?.alerts ?? []).find((a) => a.longWindow === pair.long && a.shortWindow === pair.short);
  const threshold = alert?.threshold ?? pair.threshold;
  const longRate = status?.windows?.[pair.long]?.burnRate ?? null;
  const shortRate = status?.windows?.[pair.short]?.burnRate ?? null;
  const above = [longRate, shortRate].filter((rate) => rate !== null && rate > threshold).length;
  return { ...pair, threshold, longRate, shortRate, firing: above === 2 || alert !== undefined, above };
}

/** The objective as a ratio (0.999); the API may give it as a percentage (99.9) as the SLO files do. */
export const objectiveRatio = (slo) => (slo.objective > 1 ? slo.objective / 100 : slo.objective);

export const budgetRemaining = (status) => status?.errorBudget?.remainingRatio ?? null;

/** The SLI over the SLO's own window (e.g. "30d"). */
export const sliOverWindow = (slo) => slo.status?.windows?.[slo.window]?.sli ?? slo.status?.sli ?? null;

/** The fastest burn right now: the larger of the 5m and 1h burn rates. */
export function currentBurn(status) {
  const rates = ['5m', '1h'].map((w) => status?.windows?.[w]?.burnRate).filter((r) => typeof r === 'number');
  return rates.length ? Math.max(...rates) : null;
}

export const stateOrder = { page: 0, error: 1, ticket: 2, ok: 3, nodata: 4 };

/** Budget remaining ascending; SLOs without data last. */
export function byBudgetRemaining(a, b) {
  const ra = budgetRemaining(a.status);
  const rb = budgetRemaining(b.status);
  if (ra === null || rb === null) return (ra === null) - (rb === null) || a.name.localeCompare(b.name);
  return ra - rb || a.name.localeCompare(b.name);
}
