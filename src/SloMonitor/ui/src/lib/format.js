// Number, time and duration formatting shared by every page. Missing values show as an en dash.

const dash = '–';
const missing = (value) => value === null || value === undefined || Number.isNaN(value);

/** 0.9995 → "99.95%"; keeps up to `digits` decimals and drops trailing zeros. */
export function percent(ratio, digits = 3) {
  if (missing(ratio)) return dash;
  return `${(ratio * 100).toLocaleString('en-US', { maximumFractionDigits: digits })}%`;
}

export function count(value) {
  return missing(value) ? dash : Math.round(value).toLocaleString('en-US');
}

/** A quantity that may be fractional, such as an error budget in events: "0.2", "12.5", "1,204". */
export function amount(value) {
  if (missing(value)) return dash;
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0 });
}

/** A burn rate: "14.4×", "0.02×", "120×". */
export function burn(rate) {
  if (missing(rate)) return dash;
  if (!Number.isFinite(rate)) return '∞×';
  const digits = rate >= 100 ? 0 : rate >= 1 ? 1 : 2;
  return `${rate.toLocaleString('en-US', { maximumFractionDigits: digits })}×`;
}

/** Latencies come in seconds: 0.0123 → "12.3 ms", 1.5 → "1.5 s". */
export function latency(seconds) {
  if (missing(seconds)) return dash;
  if (seconds < 1) return `${(seconds * 1000).toLocaleString('en-US', { maximumFractionDigits: seconds < 0.01 ? 2 : 1 })} ms`;
  return `${seconds.toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
}

const units = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "5m" → 300, "30d" → 2592000, "1h30m" → 5400; null when the text is not a duration. */
export function parseDuration(text) {
  const parts = String(text ?? '').match(/\d+(?:\.\d+)?[smhdw]/g);
  if (!parts || parts.join('') !== String(text)) return null;
  return parts.reduce((sum, part) => sum + parseFloat(part) * units[part.at(-1)], 0);
}

/** 3725 → "1h 2m": the two largest units, for ages and countdowns. */
export function span(seconds) {
  if (missing(seconds)) return dash;
  let rest = Math.max(0, Math.floor(seconds));
  const pieces = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (rest >= size || (unit === 's' && pieces.length === 0)) {
      pieces.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (pieces.length === 2) break;
  }
  return pieces.join(' ');
}

/** How long ago an ISO instant was, relative to `now` (a Date). */
export function age(iso, now = new Date()) {
  if (!iso) return dash;
  return span((now.getTime() - new Date(iso).getTime()) / 1000);
}

/** An ISO instant as local time; the date is added when it is not today. */
export function time(iso, now = new Date()) {
  if (!iso) return dash;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return dash;
  const clock = at.toLocaleTimeString('en-GB', { hour12: false });
  return at.toDateString() === now.toDateString() ? clock : `${at.toLocaleDateString('en-CA')} ${clock}`;
}

/** Labels as "key=value" strings, sorted by key. */
export function labelPairs(labels) {
  return Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
}
