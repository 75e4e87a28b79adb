// Loads every SLO with its status, all windows included, in one request (GET /api/v1/slos).
import { apiPath, getJson } from './api.js';

/**
 * The list carries each SLO's state, budget, alerts and every window's counts (good, total, rate, SLI, error rate,
 * burn rate). With `latency`, latency SLOs also carry p50/p95/p99 per window, which costs the service a
 * histogram read per window, so only pages that show percentiles ask for them.
 */
export function loadSlos({ latency = false } = {}) {
  return getJson(apiPath('slos', latency ? { latency: 'true' } : undefined));
}
