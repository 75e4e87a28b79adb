// Loads every SLO with its full status (all windows), as the overview and on-call pages need.
import { apiPath, getJson } from './api.js';

/**
 * The list gives each SLO's state and budget; when it leaves out the per-window readings, each SLO is read on
 * its own (six requests at a time, as a browser would anyway). An SLO that vanished meanwhile keeps its list entry.
 */
export async function loadSlos() {
  const list = await getJson(apiPath('slos'));
  if (list.every((slo) => slo.status?.windows)) return list;
  const detailed = new Array(list.length);
  let next = 0;
  async function worker() {
    while (next < list.length) {
      const index = next++;
      const slo = list[index];
      detailed[index] = await getJson(apiPath(`slos/${encodeURIComponent(slo.name)}`)).catch(() => slo);
    }
  }
  await Promise.all(Array.from({ length: Math.min(6, list.length) }, worker));
  return detailed;
}
